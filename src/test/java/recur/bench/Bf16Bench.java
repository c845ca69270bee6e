package recur.bench;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import recur.wire.Bf16;

/**
 * The bf16 conversions of {@code --wire bf16} on one message ({@code len} 350593: the charlm LSTM's
 * parameters), Vector API against the scalar twins: rounding in place, the exactness scan, and the
 * tensor link's float-to-bits and bits-to-float copies through a direct buffer. Single thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class Bf16Bench {

    @Param({"350593"})
    public int len;

    @Param({"vector", "scalar"})
    public String impl;

    float[] x;
    float[] rounded;
    float[] back;
    MemorySegment bytes;
    boolean vector;

    @Setup(Level.Trial)
    public void setUp() {
        x = KernelBench.fill(new SplittableRandom(5), len);
        rounded = Bf16.rounded(x);
        back = new float[len];
        bytes = MemorySegment.ofBuffer(java.nio.ByteBuffer.allocateDirect(2 * len));
        vector = "vector".equals(impl);
    }

    @Benchmark
    public float[] roundInPlace() {
        System.arraycopy(x, 0, back, 0, len); // a fresh copy each call: rounding twice is a no-op
        if (vector) {
            Bf16.roundInPlace(back, len);
        } else {
            Bf16.roundInPlaceScalar(back, len);
        }
        return back;
    }

    @Benchmark
    public boolean exact() {
        return vector ? Bf16.exact(rounded) : Bf16.exactScalar(rounded);
    }

    @Benchmark
    public MemorySegment toBits() {
        if (vector) {
            Bf16.toBits(rounded, 0, len, bytes, 0);
        } else {
            Bf16.toBitsScalar(rounded, 0, len, bytes, 0);
        }
        return bytes;
    }

    @Benchmark
    public float[] toFloats() {
        if (vector) {
            Bf16.toFloats(bytes, 0, back, 0, len);
        } else {
            Bf16.toFloatsScalar(bytes, 0, back, 0, len);
        }
        return back;
    }
}
