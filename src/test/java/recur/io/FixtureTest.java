package recur.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import recur.io.ModelFile.LoadedModel;
import recur.model.CellType;
import recur.model.ModelSpec;
import recur.model.ParamLayout;
import recur.model.Task;
import recur.testing.Fixture;

/** The PyTorch fixtures load through Safetensors, ModelFile and the Fixture helper, and all three agree. */
class FixtureTest {

    @TempDir
    Path dir;

    static List<String> modelCases() {
        return Fixture.modelCases();
    }

    @Test
    void allCasesArePresent() {
        assertEquals(List.of("classify_lstm", "clip_adam", "clip_adam_base", "gru_l2", "gru_learned_h0", "lstm_l1",
                "lstm_l2", "lstm_learned_h0", "regression_gru", "regression_lstm", "rnn_relu_l1", "rnn_tanh_l2",
                "tbptt_gru", "tbptt_lstm"), Fixture.cases());
        assertEquals(13, modelCases().size());
    }

    @ParameterizedTest
    @MethodSource("modelCases")
    void fixtureLoadsAsAModel(String name) throws Exception {
        Fixture f = Fixture.load(name);
        ModelSpec spec = f.spec();
        // The json "metadata" and the safetensors __metadata__ describe the same model.
        assertEquals(spec, ModelFile.spec(f.file().metadata(), name));
        // ModelFile.load of the fixture file works, ignoring tokens, grad.*, final.* ...
        Path p = dir.resolve(name + ".safetensors");
        try (var in = Fixture.class.getResourceAsStream(Fixture.RESOURCE_DIR + name + ".safetensors")) {
            Files.copy(in, p);
        }
        LoadedModel m = ModelFile.load(p);
        assertEquals(spec, m.spec());
        float[] params = f.params();
        assertArrayEquals(params, m.params());
        // ... and the flat buffer holds each state_dict tensor at its view.
        ParamLayout layout = new ParamLayout(spec);
        for (ParamLayout.View v : layout.views()) {
            float[] t = f.f32(v.name());
            assertArrayEquals(v.shape(), f.shape(v.name()));
            for (int i = 0; i < v.size(); i++) {
                assertEquals(t[i], params[v.offset() + i], v.name());
            }
        }
        // The json lists every tensor with its shape.
        @SuppressWarnings("unchecked")
        Map<String, Object> shapes = (Map<String, Object>) f.json().get("tensors");
        assertEquals(List.copyOf(shapes.keySet()), f.tensorNames());
        shapes.forEach((k, v) -> assertArrayEquals(((List<?>) v).stream().mapToInt(x -> ((Long) x).intValue())
                .toArray(), f.shape(k), k));
        // Saving and reloading through ModelFile preserves the parameters.
        Path again = dir.resolve("again.safetensors");
        ModelFile.save(again, spec, params, Map.of("source", name));
        assertArrayEquals(params, ModelFile.load(again).params());
    }

    @Test
    void gradientsAndInputs() {
        Fixture f = Fixture.load("lstm_learned_h0");
        ModelSpec spec = f.spec();
        assertEquals(CellType.LSTM, spec.cell());
        assertTrue(spec.learnedH0());
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), spec.vocab());
        ParamLayout layout = f.layout();
        float[] grads = f.grads("grad.");
        assertEquals(layout.size(), grads.length);
        assertArrayEquals(f.f32("grad.c0"), java.util.Arrays.copyOfRange(grads, layout.c0, layout.c0 + 24));
        assertArrayEquals(new int[] {2, 10}, f.shape("tokens"));
        assertEquals(20, f.i64("tokens").length);
        assertEquals(20, f.ints("tokens").length);
        assertEquals(2, f.integer("B"));
        assertEquals(9, f.integer("T"));
        assertEquals(2.3159072399139404, f.number("expected_loss"));
        assertTrue(f.has("final.c"));
        assertFalse(f.has("grad.final.c"));
        // Copies: modifying one does not change the next.
        f.f32("h0")[0] = 1e9f;
        assertTrue(f.f32("h0")[0] != 1e9f);
    }

    @Test
    void chunkGradientsAndRealInputs() {
        Fixture f = Fixture.load("tbptt_gru");
        assertEquals(4, f.numbers("chunk_losses").length);
        float[] g1 = f.grads("chunk1.grad.");
        assertArrayEquals(f.f32("chunk1.grad.head.bias"),
                java.util.Arrays.copyOfRange(g1, f.layout().headBias, f.layout().headBias + 12));
        Fixture r = Fixture.load("regression_lstm");
        assertEquals(Task.REGRESSION, r.spec().task());
        assertEquals(2, r.spec().inputSize());
        assertArrayEquals(new int[] {3, 11, 2}, r.shape("inputs"));
        assertEquals(66, r.f32("inputs").length);
    }

    @Test
    void baseCase() {
        Fixture f = Fixture.load("clip_adam");
        assertEquals("clip_adam_base", f.base().name());
        assertEquals(f.base().spec(), f.spec());
        assertArrayEquals(f.base().params(), f.params());
        assertEquals(f.params().length, f.grads("adam_step2.").length);
        assertEquals(0.25, f.number("max_norm"));
        // clip_adam.safetensors is not a model file: its metadata has no format.
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.load(f.file()));
        assertEquals("clip_adam.safetensors: missing metadata key format", e.getMessage());
    }

    @Test
    void helpfulErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fixture.load("nope"));
        assertTrue(e.getMessage().contains("nope.json"), e.getMessage());
        Fixture f = Fixture.load("lstm_l1");
        e = assertThrows(IllegalArgumentException.class, () -> f.f32("grad.h0"));
        assertTrue(e.getMessage().startsWith("fixture lstm_l1 has no tensor grad.h0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.f32("tokens"));
        assertTrue(e.getMessage().contains("is I64, not F32"), e.getMessage());
        ModelFormatException m = assertThrows(ModelFormatException.class, () -> f.grads("chunk0.grad."));
        assertTrue(m.getMessage().contains("missing tensor chunk0.grad.embed.weight"), m.getMessage());
    }
}
