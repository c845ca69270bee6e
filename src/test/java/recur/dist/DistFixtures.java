package recur.dist;

import java.nio.file.Path;
import recur.data.CharVocabulary;
import recur.data.SyntheticText;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.train.TrainConfig;

/** Small, seeded training jobs for the distributed tests. */
final class DistFixtures {
    private DistFixtures() {}

    /** Deterministic English-like text of {@code chars} characters. */
    static String text(int chars) {
        return SyntheticText.generate(7, chars);
    }

    /** A config for a tiny character LSTM: hidden 24, embedding 12, window 12. */
    static TrainConfig config(int workers, int batch, long steps, Path out) {
        TrainConfig c = new TrainConfig();
        c.cell = "lstm";
        c.hidden = 24;
        c.embedding = 12;
        c.window = 12;
        c.batch = batch;
        c.workers = workers;
        c.steps = steps;
        c.optimizer = "adam";
        c.lr = 1e-2;
        c.clipNorm = 0;
        c.seed = 11;
        c.out = out;
        return c;
    }

    static DistJob job(TrainConfig c, String text) {
        CharVocabulary vocab = CharVocabulary.of(text);
        ModelSpec spec = ModelSpec.tokens(CellType.parse(c.cell), c.layers, c.hidden, c.embedding, vocab.tokens(),
                Task.LM, vocab.size(), c.learnedH0);
        float[] params = Initializer.initialize(spec, c.seed, c.forgetBiasOne);
        return new DistJob(c, spec, params, vocab.encode(text));
    }
}
