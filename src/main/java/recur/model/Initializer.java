package recur.model;

import java.util.SplittableRandom;

/**
 * Initial parameter values as PyTorch sets them: recurrent weights and biases U(-1/sqrt(H), 1/sqrt(H))
 * (nn.RNN/LSTM/GRU), embedding N(0, 1) (nn.Embedding), head weight and bias U(-1/sqrt(H), 1/sqrt(H))
 * (nn.Linear's kaiming-uniform with a = sqrt(5)), learned initial states zero. Optionally the LSTM
 * forget-gate bias starts at 1 (Gers et al. 2000; Jozefowicz et al. 2015), put in b_ih with b_hh zero.
 */
public final class Initializer {
    private Initializer() {}

    public static float[] initialize(ModelSpec spec, long seed, boolean forgetBiasOne) {
        ParamLayout layout = new ParamLayout(spec);
        float[] p = new float[layout.size()];
        SplittableRandom rng = new SplittableRandom(seed);
        int h = spec.hidden();
        float bound = (float) (1.0 / Math.sqrt(h));
        if (spec.tokenInput()) {
            ParamLayout.View e = layout.view("embed.weight");
            for (int i = 0; i < e.size(); i++) {
                p[e.offset() + i] = (float) gaussian(rng);
            }
        }
        for (int l = 0; l < spec.layers(); l++) {
            for (String name : new String[] {"rnn.weight_ih_l", "rnn.weight_hh_l", "rnn.bias_ih_l", "rnn.bias_hh_l"}) {
                uniform(p, layout.view(name + l), bound, rng);
            }
            if (forgetBiasOne && spec.cell() == CellType.LSTM) {
                for (int j = h; j < 2 * h; j++) {
                    p[layout.biasIh[l] + j] = 1f;
                    p[layout.biasHh[l] + j] = 0f;
                }
            }
        }
        uniform(p, layout.view("head.weight"), bound, rng);
        uniform(p, layout.view("head.bias"), bound, rng);
        return p;
    }

    private static void uniform(float[] p, ParamLayout.View v, float bound, SplittableRandom rng) {
        for (int i = 0; i < v.size(); i++) {
            p[v.offset() + i] = (float) rng.nextDouble(-bound, bound);
        }
    }

    private static double gaussian(SplittableRandom rng) {
        // Box-Muller: SplittableRandom has no nextGaussian before JDK 17's RandomGenerator default.
        return rng.nextGaussian();
    }
}
