package recur.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import recur.io.ModelFile.LoadedModel;
import recur.model.CellType;
import recur.model.ModelSpec;
import recur.model.ParamLayout;
import recur.model.Task;

/**
 * Model files cross PyTorch in both directions through scripts/check-torch-compat. Skipped where the script or
 * PyTorch (Debian python3-torch) is not available.
 */
class TorchCompatTest {

    static final Path SCRIPT = Path.of("scripts/check-torch-compat").toAbsolutePath();

    @TempDir
    Path dir;

    record Result(int rc, String out) {
    }

    static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("check-torch-compat timed out: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    /**
     * The script is part of the project, so its absence is a failure. PyTorch is not a test dependency
     * (Debian's python3-torch is optional, for comparisons): where it is not installed these tests are
     * reported as skipped, with the reason, never as passed.
     */
    @BeforeAll
    static void torchAvailable() throws Exception {
        org.junit.jupiter.api.Assertions.assertTrue(Files.isExecutable(SCRIPT), "no executable " + SCRIPT);
        Path probe = Files.createTempFile("probe", ".safetensors");
        try {
            Result r = run("load", probe.toString());
            // Skipped with its reason, not silently: PyTorch is a comparison tool, not a test dependency
            // (the script exits 2 when python3-torch is missing; docs/performance.md says how to install it).
            assumeTrue(r.rc != 2, "PyTorch not available: " + r.out.strip());
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /** Every cell, token and real input, learned h0 or not: one script run loads them all. */
    @Test
    void javaWrittenModelsLoadIntoTorch() throws Exception {
        List<String> args = new ArrayList<>(List.of("load"));
        for (CellType cell : CellType.values()) {
            ModelSpec tokens = ModelSpec.tokens(cell, 2, 6, 4, List.of("a", "b", "c", "d", "e"), Task.LM, 5, true);
            Path p = dir.resolve(cell + "_token.safetensors");
            ModelFile.save(p, tokens, ModelFileTest.randomParams(tokens, 5), Map.of("note", "from java"));
            args.add(p.toString());
            ModelSpec real = ModelSpec.real(cell, 1, 3, 2, Task.REGRESSION, 2, false);
            p = dir.resolve(cell + "_real.safetensors");
            ModelFile.save(p, real, ModelFileTest.randomParams(real, 6), null);
            args.add(p.toString());
        }
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.rc, r.out);
        assertEquals(2 * CellType.values().length, r.out.lines().filter(l -> l.startsWith("ok: ")).count(), r.out);
    }

    @Test
    void torchWrittenModelsLoadInJava() throws Exception {
        Result r = run("write", dir.resolve("{cell}.safetensors").toString(), "--cell", "all", "--layers", "2",
                "--hidden", "7", "--vocab", "9", "--embedding", "5", "--learned-h0");
        assertEquals(0, r.rc, r.out);
        for (CellType cell : CellType.values()) {
            Path p = dir.resolve(cell.id + ".safetensors");
            LoadedModel m = ModelFile.load(p);
            assertEquals(ModelSpec.tokens(cell, 2, 7, 5, List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"),
                    Task.LM, 9, true), m.spec());
            ParamLayout layout = new ParamLayout(m.spec());
            assertEquals(layout.size(), m.params().length);
            Safetensors.SafetensorsFile f = Safetensors.read(p);
            for (ParamLayout.View v : layout.views()) {
                assertArrayEquals(f.tensor(v.name()).f32(),
                        Arrays.copyOfRange(m.params(), v.offset(), v.offset() + v.size()), v.name());
            }
            assertTrue(Double.isFinite(Double.parseDouble(m.metadata().get("torch_loss"))));
            assertArrayEquals(new int[] {2, 9}, f.tensor("tokens").shape());
        }
    }

    @Test
    void scriptReportsBadFilesOnOneLine() throws Exception {
        ModelSpec spec = ModelSpec.real(CellType.GRU, 1, 3, 2, Task.REGRESSION, 1, false);
        Map<String, Safetensors.Tensor> t = new java.util.LinkedHashMap<>(ModelFile.tensors(spec,
                ModelFileTest.randomParams(spec, 1)));
        t.put("rnn.weight_hh_l0", Safetensors.Tensor.f32(new float[9 * 2], 9, 2));
        Path p = dir.resolve("bad.safetensors");
        Safetensors.write(p, ModelFile.metadata(spec, null), t);
        Result r = run("load", p.toString());
        assertEquals(1, r.rc, r.out);
        assertTrue(r.out.startsWith("check-torch-compat: error: ") && r.out.strip().lines().count() == 1, r.out);
        assertTrue(r.out.contains("weight_hh_l0"), r.out);
    }
}
