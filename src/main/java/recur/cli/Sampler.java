package recur.cli;

import java.util.SplittableRandom;
import recur.math.Kernels;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;

/**
 * Autoregressive sampling from a character model, one stream: {@link #feed} the prime, then
 * {@link #next} draws a character from softmax(logits / T) (restricted to the top k when k > 0,
 * the argmax when T = 0) and feeds it back.
 *
 * <p>Call order: construct, {@code feed} (at least one token), then {@code next} repeatedly.
 */
final class Sampler {
    private static final int PRIME_WINDOW = 256;

    private final LanguageModel lm;
    private final double temperature;
    private final int topK;
    private final SplittableRandom rng;
    private final Network net;
    private final Window window;
    private final RecurrentState state;
    private final int vocab;
    private final double[] probs;   // (V)
    private final float[] logits;   // (V) of the last fed step
    private boolean primed;

    Sampler(LanguageModel lm, double temperature, int topK, SplittableRandom rng) {
        this.lm = lm;
        this.temperature = temperature;
        this.topK = topK;
        this.rng = rng;
        this.net = new Network(lm.spec(), 1, PRIME_WINDOW, Kernels.get());
        this.window = net.newWindow();
        this.state = net.newState();
        this.vocab = lm.spec().output();
        this.probs = new double[vocab];
        this.logits = new float[vocab];
    }

    /** Reads tokens through the model; the logits of the last one predict the next character. */
    void feed(int[] tokens) {
        for (int from = 0; from < tokens.length; from += PRIME_WINDOW) {
            int steps = Math.min(PRIME_WINDOW, tokens.length - from);
            window.steps = steps;
            System.arraycopy(tokens, from, window.tokens, 0, steps);
            net.predict(lm.params(), window, state);
            System.arraycopy(net.outputs(), (steps - 1) * vocab, logits, 0, vocab);
            primed = true;
        }
    }

    /** Draws the next character and feeds it back. */
    int next() {
        if (!primed) {
            throw new IllegalStateException("feed the prime before sampling");
        }
        int token = draw(logits, temperature, topK, rng, probs);
        feed(new int[] {token});
        return token;
    }

    /** One draw from softmax(logits / T) over the top k (all when k is 0 or at least V); argmax when T = 0. */
    static int draw(float[] logits, double temperature, int topK, SplittableRandom rng, double[] probs) {
        int v = logits.length;
        int best = 0;
        for (int i = 1; i < v; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        if (temperature == 0) {
            return best;
        }
        float cutoff = Float.NEGATIVE_INFINITY;
        if (topK > 0 && topK < v) {
            float[] sorted = logits.clone();
            java.util.Arrays.sort(sorted);
            cutoff = sorted[v - topK];
        }
        double max = logits[best];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            probs[i] = logits[i] >= cutoff ? Math.exp((logits[i] - max) / temperature) : 0;
            sum += probs[i];
        }
        double u = rng.nextDouble() * sum;
        double acc = 0;
        int last = best;
        for (int i = 0; i < v; i++) {
            if (probs[i] > 0) {
                acc += probs[i];
                last = i;
                if (u < acc) {
                    return i;
                }
            }
        }
        return last;
    }
}
