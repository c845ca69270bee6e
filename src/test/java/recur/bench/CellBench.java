package recur.bench;

import java.util.ArrayList;
import java.util.List;
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
import recur.math.Kernels;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;

/**
 * One cell's forward pass and forward + backward over a window, at the shared benchmark's
 * configurations (V 65, E 64, one layer; charlm H 256 B 32 T 64, small H 128 B 1 T 50). Throughput is
 * windows per second; tokens/s = windows/s * B * T. Run: {@code scripts/jmh CellBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:CompileCommand=quiet", "-XX:CompileCommand=inline,recur.math.VectorMath::*", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 3, time = 2)
public class CellBench {

    @Param({"lstm", "gru", "rnn_tanh"})
    public String cell;

    @Param({"charlm", "small"})
    public String config;

    Network net;
    Window window;
    RecurrentState state;
    float[] params;
    float[] grad;

    @Setup(Level.Trial)
    public void setUp() {
        int h = config.equals("charlm") ? 256 : 128;
        int b = config.equals("charlm") ? 32 : 1;
        int t = config.equals("charlm") ? 64 : 50;
        List<String> vocab = new ArrayList<>();
        for (int i = 0; i < 65; i++) {
            vocab.add(new String(Character.toChars(0x4E00 + i)));
        }
        ModelSpec spec = ModelSpec.tokens(CellType.parse(cell), 1, h, 64, vocab, Task.LM, 65, false);
        params = Initializer.initialize(spec, 0, false);
        grad = new float[params.length];
        net = new Network(spec, b, t, Kernels.get());
        window = net.newWindow();
        state = net.newState();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < window.tokens.length; i++) {
            window.tokens[i] = r.nextInt(65);
            window.targets[i] = r.nextInt(65);
        }
    }

    @Benchmark
    public double forward() {
        return net.loss(params, window, state);
    }

    @Benchmark
    public double forwardBackward() {
        return net.forwardBackward(params, grad, window, state);
    }
}
