package recur.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import recur.nn.RecurrentState;
import recur.nn.Window;

/**
 * Windows of whole labelled sequences for classification, bucketed by length: every window holds B
 * sequences of exactly the same number of tokens T, so no padding and no mask are needed (the network
 * runs all B streams for the same T steps and reads each one's last hidden state). Each window starts
 * every stream from the initial state.
 *
 * <p>An epoch: each length bucket is shuffled and cut into groups of B; a bucket's last, partial group
 * is filled up with sequences drawn again from the same bucket (so some sequences appear twice in an
 * epoch, never more than needed to fill one group); then the order of the groups is shuffled. The
 * plan of epoch e depends only on the seed and e, so {@link #seek} restores it exactly.
 */
public final class LabelledBatches implements ShardWindows {
    private final List<LabelledSequences.Sequence> sequences;
    private final int batch;
    private final long seed;
    private final List<int[]> buckets = new ArrayList<>(); // indices of the sequences of each length
    private List<int[]> plan;
    private int position;
    private long epoch;

    public LabelledBatches(List<LabelledSequences.Sequence> sequences, int batch, long seed) {
        if (sequences.isEmpty() || batch < 1) {
            throw new IllegalArgumentException("need at least one sequence and a batch of at least 1");
        }
        this.sequences = List.copyOf(sequences);
        this.batch = batch;
        this.seed = seed;
        TreeMap<Integer, List<Integer>> byLength = new TreeMap<>();
        for (int i = 0; i < this.sequences.size(); i++) {
            int n = this.sequences.get(i).tokens().length;
            if (n < 1) {
                throw new IllegalArgumentException("sequence " + i + " has no tokens");
            }
            byLength.computeIfAbsent(n, k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> b : byLength.values()) {
            buckets.add(b.stream().mapToInt(Integer::intValue).toArray());
        }
        this.plan = plan(0);
    }

    /** Groups of B sequence indices for epoch e. */
    private List<int[]> plan(long e) {
        SplittableRandom rng = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (e + 1));
        List<int[]> groups = new ArrayList<>();
        for (int[] bucket : buckets) {
            int[] order = bucket.clone();
            shuffle(order, rng);
            for (int from = 0; from < order.length; from += batch) {
                int[] g = new int[batch];
                for (int b = 0; b < batch; b++) {
                    g[b] = from + b < order.length ? order[from + b] : order[rng.nextInt(order.length)];
                }
                groups.add(g);
            }
        }
        for (int i = groups.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int[] t = groups.get(i);
            groups.set(i, groups.get(j));
            groups.set(j, t);
        }
        return groups;
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    @Override
    public int next(Window w, RecurrentState state) {
        if (w.batch != batch) {
            throw new IllegalArgumentException("window batch " + w.batch + " but " + batch + " streams");
        }
        int[] group = plan.get(position);
        int steps = sequences.get(group[0]).tokens().length;
        if (steps > w.maxSteps) {
            throw new IllegalArgumentException("a sequence of " + steps + " tokens does not fit a window of " + w.maxSteps);
        }
        w.steps = steps;
        for (int b = 0; b < batch; b++) {
            LabelledSequences.Sequence s = sequences.get(group[b]);
            for (int t = 0; t < steps; t++) {
                w.tokens[t * batch + b] = s.tokens()[t];
            }
            w.labels[b] = s.label();
        }
        state.resetAll();
        position++;
        if (position == plan.size()) {
            position = 0;
            epoch++;
            plan = plan(epoch);
        }
        return steps;
    }

    @Override
    public int nextSteps() {
        return sequences.get(plan.get(position)[0]).tokens().length;
    }

    /** Windows per epoch. */
    public int windowsPerEpoch() {
        return plan.size();
    }

    @Override
    public int streams() {
        return batch;
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public void seek(int position, long epoch) {
        List<int[]> p = plan(epoch);
        if (position < 0 || position >= p.size()) {
            throw new IllegalArgumentException("position " + position + " outside 0.." + (p.size() - 1));
        }
        this.plan = p;
        this.position = position;
        this.epoch = epoch;
    }
}
