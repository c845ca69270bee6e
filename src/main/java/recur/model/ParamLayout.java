package recur.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One flat parameter buffer with named views (llm.c style): every tensor of the model is a contiguous
 * row-major slice, named as in a PyTorch {@code state_dict}. Gradients, optimizer state and the wire
 * format use the same layout, so they all work on flat arrays.
 */
public final class ParamLayout {

    /** One named tensor inside the flat buffer. */
    public record View(String name, int offset, int[] shape) {
        public int size() {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        /** Leading dimension of a 2-D view (its row length). */
        public int cols() {
            return shape[shape.length - 1];
        }
    }

    private final ModelSpec spec;
    private final Map<String, View> views;
    private final int size;

    // Offsets of the tensors the compute reads, per layer.
    public final int embed;
    public final int[] weightIh;
    public final int[] weightHh;
    public final int[] biasIh;
    public final int[] biasHh;
    public final int headWeight;
    public final int headBias;
    /** -1 when the initial state is not learned. */
    public final int h0;
    public final int c0;

    public ParamLayout(ModelSpec spec) {
        this.spec = spec;
        int layers = spec.layers();
        int gh = spec.gateRows();
        int h = spec.hidden();
        Map<String, View> map = new LinkedHashMap<>();
        int[] off = {0};
        java.util.function.BiFunction<String, int[], Integer> add = (name, shape) -> {
            View v = new View(name, off[0], shape);
            map.put(name, v);
            off[0] += v.size();
            return v.offset();
        };
        embed = spec.tokenInput() ? add.apply("embed.weight", new int[] {spec.vocabSize(), spec.embedding()}) : -1;
        weightIh = new int[layers];
        weightHh = new int[layers];
        biasIh = new int[layers];
        biasHh = new int[layers];
        for (int k = 0; k < layers; k++) {
            weightIh[k] = add.apply("rnn.weight_ih_l" + k, new int[] {gh, spec.inputWidth(k)});
            weightHh[k] = add.apply("rnn.weight_hh_l" + k, new int[] {gh, h});
            biasIh[k] = add.apply("rnn.bias_ih_l" + k, new int[] {gh});
            biasHh[k] = add.apply("rnn.bias_hh_l" + k, new int[] {gh});
        }
        headWeight = add.apply("head.weight", new int[] {spec.output(), h});
        headBias = add.apply("head.bias", new int[] {spec.output()});
        h0 = spec.learnedH0() ? add.apply("h0", new int[] {layers, h}) : -1;
        c0 = spec.learnedH0() && spec.cell() == CellType.LSTM ? add.apply("c0", new int[] {layers, h}) : -1;
        this.views = Collections.unmodifiableMap(map);
        this.size = off[0];
    }

    /** Parameter count without building a layout (used to reject oversize models before allocating). */
    static long count(CellType cell, int layers, int hidden, int vocab, int firstInput, int output, boolean learnedH0) {
        long gh = (long) cell.gates * hidden;
        long n = (long) vocab * (vocab > 0 ? firstInput : 0);
        for (int k = 0; k < layers; k++) {
            long in = k == 0 ? firstInput : hidden;
            n += gh * in + gh * hidden + 2 * gh;
        }
        n += (long) output * hidden + output;
        if (learnedH0) {
            n += (long) layers * hidden * (cell == CellType.LSTM ? 2 : 1);
        }
        return n;
    }

    public ModelSpec spec() {
        return spec;
    }

    /** Total number of floats. */
    public int size() {
        return size;
    }

    public View view(String name) {
        View v = views.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return v;
    }

    public boolean has(String name) {
        return views.containsKey(name);
    }

    /** The views in layout order. */
    public List<View> views() {
        return new ArrayList<>(views.values());
    }
}
