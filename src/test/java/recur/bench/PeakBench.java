package recur.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FMA ceiling the kernels are measured against: 12 independent chains of register-only vector FMAs
 * on the preferred species (no loads), {@link #FLOPS_PER_CALL} flops a call. On a shared or throttled
 * machine this is the honest "peak" to compare KernelBench's GFLOP/s with. {@link #fmaPeak256} runs
 * the same on 256-bit vectors: where it matches the 512-bit figure, the core executes a 512-bit FMA
 * as two 256-bit halves (AMD Zen 4), so one core's FP32 peak is half of what a full 512-bit
 * datapath (Zen 5, recent Xeons) would give.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class PeakBench {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int ITERATIONS = 10_000;
    /** 12 FMAs of S.length() lanes, 2 flops each, per iteration. */
    public static final double FLOPS_PER_CALL = 2.0 * 12 * S.length() * ITERATIONS;
    static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
    /** The same for {@link #fmaPeak256}. */
    public static final double FLOPS_PER_CALL_256 = 2.0 * 12 * S256.length() * ITERATIONS;

    public float x = 1.0000001f;
    public float y = 0.9999999f;

    @Benchmark
    public float fmaPeak() {
        FloatVector a = FloatVector.broadcast(S, x);
        FloatVector b = FloatVector.broadcast(S, y);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < ITERATIONS; i++) {
            c0 = a.fma(c0, b);
            c1 = a.fma(c1, b);
            c2 = a.fma(c2, b);
            c3 = a.fma(c3, b);
            c4 = a.fma(c4, b);
            c5 = a.fma(c5, b);
            c6 = a.fma(c6, b);
            c7 = a.fma(c7, b);
            c8 = a.fma(c8, b);
            c9 = a.fma(c9, b);
            c10 = a.fma(c10, b);
            c11 = a.fma(c11, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    // The same loop as fmaPeak on another species: a species must be a constant for the Vector API
    // to compile to machine vectors, so the loop is written out for each.
    @Benchmark
    public float fmaPeak256() {
        FloatVector a = FloatVector.broadcast(S256, x);
        FloatVector b = FloatVector.broadcast(S256, y);
        FloatVector c0 = FloatVector.zero(S256), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < ITERATIONS; i++) {
            c0 = a.fma(c0, b);
            c1 = a.fma(c1, b);
            c2 = a.fma(c2, b);
            c3 = a.fma(c3, b);
            c4 = a.fma(c4, b);
            c5 = a.fma(c5, b);
            c6 = a.fma(c6, b);
            c7 = a.fma(c7, b);
            c8 = a.fma(c8, b);
            c9 = a.fma(c9, b);
            c10 = a.fma(c10, b);
            c11 = a.fma(c11, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
