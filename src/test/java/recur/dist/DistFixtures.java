package recur.dist;

import java.nio.file.Path;
import recur.data.CharVocabulary;
import recur.data.SyntheticText;
import recur.data.TokenStreams;
import recur.math.Kernels;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;
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

    /**
     * The mean loss of {@code params} on fixed windows of the job's text that training has not reached:
     * the text cut into 12 streams (as 3 workers of 4 streams cut it), 40 windows of each from position
     * {@code from} on, hidden state from zero. Unlike a push's loss (one worker's shards, on whatever
     * version it computed), it depends on the parameters alone.
     */
    static double heldOutLoss(DistJob job, float[] params, int from) {
        TokenStreams streams = TokenStreams.of(job.tokens(), 12, job.config().window);
        if (from + 40 * job.config().window > streams.streamLength()) {
            throw new IllegalArgumentException("streams of " + streams.streamLength() + " tokens are too short");
        }
        streams.seek(from, 0);
        Network net = new Network(job.spec(), 12, job.config().window, Kernels.get());
        Window w = net.newWindow();
        RecurrentState state = net.newState();
        double sum = 0;
        long count = 0;
        for (int i = 0; i < 40; i++) {
            streams.next(w, state);
            sum += net.lossSum(params, w, state);
            count += w.lossCount(job.spec());
        }
        return sum / count;
    }
}
