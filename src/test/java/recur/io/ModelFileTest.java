package recur.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import recur.io.ModelFile.LoadedModel;
import recur.io.Safetensors.SafetensorsFile;
import recur.io.Safetensors.Tensor;
import recur.model.CellType;
import recur.model.ModelSpec;
import recur.model.ParamLayout;
import recur.model.Task;

class ModelFileTest {

    @TempDir
    Path dir;

    static final List<String> VOCAB = List.of("a", "b", "\"q\"", "é", "\n");

    static float[] randomParams(ModelSpec spec, long seed) {
        Random r = new Random(seed);
        float[] p = new float[new ParamLayout(spec).size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextGaussian();
        }
        return p;
    }

    private LoadedModel roundTrip(ModelSpec spec) {
        float[] params = randomParams(spec, 7);
        Path p = dir.resolve(spec.cell() + ".safetensors");
        ModelFile.save(p, spec, params, Map.of("trained_steps", "100", "mean", "[0.5]"));
        LoadedModel m = ModelFile.load(p);
        assertEquals(spec, m.spec());
        assertArrayEquals(params, m.params());
        assertEquals("100", m.metadata().get("trained_steps"));
        assertEquals("recur-rnn/1", m.metadata().get("format"));
        // Every view is a tensor with its shape.
        SafetensorsFile f = Safetensors.read(p);
        ParamLayout layout = new ParamLayout(spec);
        assertEquals(layout.views().stream().map(ParamLayout.View::name).toList(), List.copyOf(f.tensors().keySet()));
        for (ParamLayout.View v : layout.views()) {
            assertArrayEquals(v.shape(), f.tensor(v.name()).shape(), v.name());
        }
        return m;
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void tokenModelRoundTrip(CellType cell) {
        roundTrip(ModelSpec.tokens(cell, 2, 6, 4, VOCAB, Task.LM, VOCAB.size(), false));
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void learnedH0RoundTrip(CellType cell) {
        ModelSpec spec = ModelSpec.tokens(cell, 2, 5, 3, VOCAB, Task.CLASSIFY, 3, true);
        roundTrip(spec);
        SafetensorsFile f = Safetensors.read(dir.resolve(cell + ".safetensors"));
        assertArrayEquals(new int[] {2, 5}, f.tensor("h0").shape());
        assertEquals(cell == CellType.LSTM, f.has("c0"));
        assertEquals("true", f.metadata().get("learned_h0"));
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void realInputRoundTrip(CellType cell) {
        LoadedModel m = roundTrip(ModelSpec.real(cell, 1, 4, 3, Task.REGRESSION, 2, cell == CellType.GRU));
        assertEquals("3", m.metadata().get("input_size"));
        assertEquals("real", m.metadata().get("input"));
        assertTrue(!m.metadata().containsKey("vocab") && !m.metadata().containsKey("embedding"));
    }

    @Test
    void metadataMatchesTheSpecFormat() {
        ModelSpec spec = ModelSpec.tokens(CellType.LSTM, 1, 4, 2, List.of("x", "y"), Task.LM, 2, false);
        Map<String, String> m = ModelFile.metadata(spec, null);
        assertEquals(Map.of("format", "recur-rnn/1", "cell", "lstm", "layers", "1", "hidden", "4", "input", "token",
                "embedding", "2", "output", "2", "task", "lm", "vocab", "[\"x\",\"y\"]", "learned_h0", "false"), m);
        // Extra keys that repeat a spec value are accepted (e.g. passing back a loaded model's metadata) ...
        Map<String, String> again = ModelFile.metadata(spec, Map.of("vocab", "[\"x\", \"y\"]", "cell", "lstm"));
        assertEquals(m, again);
        // ... but not ones that contradict it.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.metadata(spec, Map.of("hidden", "8")));
        assertTrue(e.getMessage().contains("hidden"), e.getMessage());
    }

    @Test
    void wrongParamCountIsRejectedOnSave() {
        ModelSpec spec = ModelSpec.real(CellType.GRU, 1, 4, 3, Task.REGRESSION, 1, false);
        assertThrows(IllegalArgumentException.class,
                () -> ModelFile.save(dir.resolve("x.safetensors"), spec, new float[3], null));
    }

    // ------------------------------------------------------------------------------------------ bad files

    private static final ModelSpec SPEC = ModelSpec.tokens(CellType.LSTM, 1, 16, 4, VOCAB, Task.LM, VOCAB.size(),
            false);

    /** Writes SPEC's model with the metadata and tensors edited, then expects load to fail; returns the problem. */
    private String badModel(java.util.function.Consumer<Map<String, String>> editMeta,
                            java.util.function.Consumer<Map<String, Tensor>> editTensors) {
        Map<String, String> meta = new LinkedHashMap<>(ModelFile.metadata(SPEC, null));
        Map<String, Tensor> tensors = new LinkedHashMap<>(ModelFile.tensors(SPEC, randomParams(SPEC, 1)));
        editMeta.accept(meta);
        editTensors.accept(tensors);
        Path p = dir.resolve("model.safetensors");
        Safetensors.write(p, meta, tensors);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.load(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        return e.problem();
    }

    private String badMeta(java.util.function.Consumer<Map<String, String>> edit) {
        return badModel(edit, t -> { });
    }

    @Test
    void missingMetadataKeyIsNamed() {
        for (String key : List.of("format", "cell", "layers", "hidden", "input", "embedding", "output", "task",
                "vocab", "learned_h0")) {
            assertEquals("missing metadata key " + key, badMeta(m -> m.remove(key)), key);
        }
        assertEquals("missing metadata key input_size", badMeta(m -> m.put("input", "real")));
    }

    @Test
    void badMetadataValuesAreNamed() {
        assertEquals("metadata layers: 'two' is not an integer", badMeta(m -> m.put("layers", "two")));
        assertEquals("metadata hidden: '-3' is not an integer", badMeta(m -> m.put("hidden", "-3")));
        assertEquals("metadata hidden: '99999999999' is not an integer", badMeta(m -> m.put("hidden", "99999999999")));
        assertEquals("metadata layers: must be at least 1, got 0", badMeta(m -> m.put("layers", "0")));
        assertTrue(badMeta(m -> m.put("cell", "transformer")).startsWith("metadata cell: unknown cell 'transformer'"));
        assertTrue(badMeta(m -> m.put("task", "translate")).startsWith("metadata task: unknown task 'translate'"));
        assertTrue(badMeta(m -> m.put("input", "image")).startsWith("metadata input: unknown input 'image'"));
        assertEquals("metadata learned_h0: 'yes' is not true or false", badMeta(m -> m.put("learned_h0", "yes")));
        assertEquals("unsupported format 'recur-rnn/2' (expected recur-rnn/1)",
                badMeta(m -> m.put("format", "recur-rnn/2")));
        assertTrue(badMeta(m -> m.put("vocab", "[\"a\",")).startsWith("metadata vocab is not a JSON array"));
        assertEquals("metadata vocab[1] is a JSON number, not a string", badMeta(m -> m.put("vocab", "[\"a\", 1]")));
        assertTrue(badMeta(m -> m.put("output", "3")).startsWith("invalid model: a language model's output (3)"));
    }

    @Test
    void wrongShapeIsNamed() {
        String problem = badModel(m -> { }, t -> t.put("rnn.weight_hh_l0", Tensor.f32(new float[64 * 15], 64, 15)));
        assertTrue(problem.startsWith("tensor rnn.weight_hh_l0 has shape [64, 15], expected [64, 16] for this lstm"),
                problem);
    }

    @Test
    void missingParameterIsNamed() {
        assertEquals("missing tensor head.bias (expected F32 [5])", badModel(m -> { }, t -> t.remove("head.bias")));
    }

    @Test
    void parameterWithWrongDtypeIsNamed() {
        assertEquals("tensor head.bias is I64, expected F32",
                badModel(m -> { }, t -> t.put("head.bias", Tensor.i64(new long[5]))));
    }

    @Test
    void metadataAndWeightsDisagree() {
        // A second layer's weights in a file whose metadata says one layer.
        String p = badModel(m -> { }, t -> t.put("rnn.weight_ih_l1", Tensor.f32(new float[64 * 16], 64, 16)));
        assertTrue(p.startsWith("unexpected parameter tensor rnn.weight_ih_l1 for this lstm model (1 layer"), p);
        // h0 without learned_h0.
        p = badModel(m -> { }, t -> t.put("h0", Tensor.f32(new float[16], 1, 16)));
        assertTrue(p.startsWith("unexpected parameter tensor h0"), p);
    }

    @Test
    void nonParameterTensorsAreIgnored() {
        float[] params = randomParams(SPEC, 3);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("tokens", Tensor.i64(new long[] {1, 2, 3}));
        tensors.putAll(ModelFile.tensors(SPEC, params));
        tensors.put("grad.head.bias", Tensor.f32(new float[5]));
        tensors.put("chunk0.grad.head.bias", Tensor.f32(new float[5]));
        tensors.put("final.h", Tensor.f32(new float[16], 1, 1, 16));
        tensors.put("adam.m.head.bias", Tensor.f32(new float[5]));
        Path p = dir.resolve("extra.safetensors");
        Safetensors.write(p, ModelFile.metadata(SPEC, null), tensors);
        LoadedModel m = ModelFile.load(p);
        assertArrayEquals(params, m.params());
    }

    @Test
    void fileWithoutMetadataSaysFormatIsMissing() {
        Path p = dir.resolve("bare.safetensors");
        Safetensors.write(p, Map.of(), ModelFile.tensors(SPEC, randomParams(SPEC, 1)));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.load(p));
        assertEquals(p + ": missing metadata key format", e.getMessage());
    }
}
