package recur.optim;

import java.util.ArrayList;
import java.util.List;

/** Shared bookkeeping: size, step counter, buffers and their export/import. */
abstract class AbstractOptimizer implements Optimizer {

    protected final int size;
    protected long steps;

    AbstractOptimizer(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("parameter count must be >= 0, got " + size);
        }
        this.size = size;
    }

    /** The live state buffers, in export order. */
    protected abstract float[][] buffers();

    @Override
    public final int size() {
        return size;
    }

    @Override
    public final long steps() {
        return steps;
    }

    protected final void checkArgs(float[] params, float[] grad, double lr) {
        if (params.length < size || grad.length < size) {
            throw new IllegalArgumentException(name() + ": params (" + params.length + ") and grad (" + grad.length
                    + ") must hold at least " + size + " values");
        }
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(name() + ": learning rate must be finite and >= 0, got " + lr);
        }
    }

    @Override
    public final OptimizerState state() {
        List<float[]> out = new ArrayList<>();
        for (float[] b : buffers()) {
            out.add(b.clone());
        }
        return new OptimizerState(name(), steps, out);
    }

    @Override
    public final void restore(OptimizerState s) {
        if (!name().equals(s.name())) {
            throw new IllegalArgumentException("cannot restore " + s.name() + " optimizer state into " + name());
        }
        float[][] mine = buffers();
        if (s.buffers().size() != mine.length) {
            throw new IllegalArgumentException(name() + " state has " + s.buffers().size() + " buffers, expected "
                    + mine.length);
        }
        for (int i = 0; i < mine.length; i++) {
            if (s.buffers().get(i).length != mine[i].length) {
                throw new IllegalArgumentException(name() + " state buffer " + i + " has " + s.buffers().get(i).length
                        + " values, expected " + mine[i].length);
            }
        }
        for (int i = 0; i < mine.length; i++) {
            System.arraycopy(s.buffers().get(i), 0, mine[i], 0, mine[i].length);
        }
        steps = s.step();
    }

    @Override
    public String toString() {
        return describe();
    }
}
