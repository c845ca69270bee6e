package recur.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import recur.io.Json;
import recur.io.ModelFile;
import recur.io.Safetensors;
import recur.io.Safetensors.SafetensorsFile;
import recur.io.Safetensors.Tensor;
import recur.model.ModelSpec;
import recur.model.ParamLayout;

/**
 * One PyTorch reference case from {@code src/test/resources/fixtures/pytorch} (a copy of
 * {@code shared/fixtures/pytorch}, so tests run on a fresh clone): {@code <case>.json} says what the case
 * computes, {@code <case>.safetensors} holds the tensors.
 *
 * <pre>{@code
 * Fixture f = Fixture.load("lstm_l2");
 * ModelSpec spec = f.spec();                  // from the json "metadata"
 * float[] params = f.params();                // flat buffer, ParamLayout order, from the state_dict names
 * long[] tokens = f.i64("tokens");            // [B, T+1], row-major; f.shape("tokens") gives {B, T+1}
 * float[] expected = f.grads("grad.");        // gradients laid out like params
 * double loss = f.number("expected_loss");
 * int batch = f.integer("B");
 * }</pre>
 *
 * Cases without metadata of their own ({@code clip_adam}) name a base case in their safetensors
 * {@code __metadata__} ({@code "base": "clip_adam_base"}); for them {@link #spec()} and {@link #params()} come from
 * {@link #base()}, and {@link #grads(String)} reads this case's tensors (e.g. {@code grads("adam_step1.")}).
 *
 * <p>All array getters return fresh copies, so a test may modify them freely. Problems (unknown case, missing
 * tensor, wrong dtype) throw {@link IllegalArgumentException} naming the case and the tensor; a missing or
 * misshapen parameter/gradient tensor in {@link #params()}/{@link #grads(String)} is a
 * {@link recur.io.ModelFormatException} naming it.
 */
public final class Fixture {

    /** Classpath folder of the fixtures. */
    public static final String RESOURCE_DIR = "/fixtures/pytorch/";

    private final String name;
    private final Map<String, Object> json;
    private final SafetensorsFile file;
    private ModelSpec spec;
    private Fixture base;

    private Fixture(String name, Map<String, Object> json, SafetensorsFile file) {
        this.name = name;
        this.json = json;
        this.file = file;
    }

    /** Loads {@code <caseName>.json} and {@code <caseName>.safetensors} from the test classpath. */
    public static Fixture load(String caseName) {
        byte[] jsonBytes = resource(caseName + ".json");
        byte[] tensorBytes = resource(caseName + ".safetensors");
        Map<String, Object> json = Json.parseObject(new String(jsonBytes, StandardCharsets.UTF_8));
        SafetensorsFile file = Safetensors.read(tensorBytes, caseName + ".safetensors");
        return new Fixture(caseName, json, file);
    }

    /** The names of all fixture cases on the test classpath, sorted. */
    public static List<String> cases() {
        URL dir = Fixture.class.getResource(RESOURCE_DIR);
        if (dir == null) {
            throw new IllegalStateException("no fixtures on the classpath at " + RESOURCE_DIR);
        }
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | java.nio.file.FileSystemNotFoundException e) {
            throw new IllegalStateException("cannot list fixtures at " + dir, e);
        }
    }

    /** The cases that describe a model (have a "metadata" object in their json): the parity cases. */
    public static List<String> modelCases() {
        return cases().stream().filter(c -> load(c).json().get("metadata") instanceof Map).toList();
    }

    private static byte[] resource(String file) {
        try (InputStream in = Fixture.class.getResourceAsStream(RESOURCE_DIR + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture file " + RESOURCE_DIR + file + " on the test classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + file, e);
        }
    }

    /** The case name, e.g. {@code "lstm_l2"}. */
    public String name() {
        return name;
    }

    /** The parsed {@code <case>.json} (numbers are Long or Double). */
    public Map<String, Object> json() {
        return json;
    }

    /** The parsed safetensors file (all tensors and its {@code __metadata__}). */
    public SafetensorsFile file() {
        return file;
    }

    /** A numeric json field, e.g. {@code number("expected_loss")}. */
    public double number(String key) {
        Object v = json.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(name + ".json: " + key + " is " + (v == null ? "missing"
                    : "a JSON " + Json.typeName(v) + ", not a number"));
        }
        return n.doubleValue();
    }

    /** An integer json field, e.g. {@code integer("B")}. */
    public int integer(String key) {
        Object v = json.get(key);
        if (!(v instanceof Long l) || l != (int) (long) l) {
            throw new IllegalArgumentException(name + ".json: " + key + " is " + (v == null ? "missing"
                    : "not an int: " + v));
        }
        return (int) (long) l;
    }

    /** A list of numbers from the json, e.g. {@code numbers("chunk_losses")}. */
    public double[] numbers(String key) {
        Object v = json.get(key);
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException(name + ".json: " + key + " is not an array");
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new IllegalArgumentException(name + ".json: " + key + "[" + i + "] is not a number");
            }
            out[i] = n.doubleValue();
        }
        return out;
    }

    /** The base case named in the safetensors metadata ({@code "base"}), or null when there is none. */
    public synchronized Fixture base() {
        String b = file.metadata().get("base");
        if (b == null) {
            return null;
        }
        if (base == null) {
            base = load(b);
        }
        return base;
    }

    /**
     * The model spec from the json {@code "metadata"} (numbers there are JSON numbers, strings elsewhere), or
     * from the base case when this case has none.
     */
    public synchronized ModelSpec spec() {
        if (spec == null) {
            Object meta = json.get("metadata");
            if (meta instanceof Map<?, ?> m) {
                Map<String, String> strings = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    strings.put((String) e.getKey(), String.valueOf(e.getValue()));
                }
                spec = ModelFile.spec(strings, name + ".json");
            } else if (base() != null) {
                spec = base().spec();
            } else {
                throw new IllegalArgumentException(name + ".json has no \"metadata\" and no base case");
            }
        }
        return spec;
    }

    /** The layout of {@link #spec()}. */
    public ParamLayout layout() {
        return new ParamLayout(spec());
    }

    public boolean has(String tensor) {
        return file.has(tensor);
    }

    /** Tensor names in file order. */
    public List<String> tensorNames() {
        return new ArrayList<>(file.tensors().keySet());
    }

    /** A copy of an F32 tensor's data (row-major). */
    public float[] f32(String tensor) {
        Tensor t = tensor(tensor);
        if (t.f32() == null) {
            throw new IllegalArgumentException(name + ": tensor " + tensor + " is " + t.dtype() + ", not F32");
        }
        return t.f32().clone();
    }

    /** A copy of an I64 tensor's data (row-major). */
    public long[] i64(String tensor) {
        Tensor t = tensor(tensor);
        if (t.i64() == null) {
            throw new IllegalArgumentException(name + ": tensor " + tensor + " is " + t.dtype() + ", not I64");
        }
        return t.i64().clone();
    }

    /** An I64 tensor as ints (token ids, labels); fails if a value does not fit. */
    public int[] ints(String tensor) {
        long[] a = i64(tensor);
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.toIntExact(a[i]);
        }
        return out;
    }

    /** A copy of a tensor's shape. */
    public int[] shape(String tensor) {
        return tensor(tensor).shape().clone();
    }

    private Tensor tensor(String tensor) {
        Tensor t = file.tensors().get(tensor);
        if (t == null) {
            throw new IllegalArgumentException("fixture " + name + " has no tensor " + tensor + " (it has "
                    + String.join(", ", file.tensors().keySet()) + ")");
        }
        return t;
    }

    /**
     * The flat parameter buffer of {@link #spec()} filled from the state_dict tensors ({@code embed.weight},
     * {@code rnn.weight_ih_l0}, ...), checked for shape; from the base case when this case has no parameters.
     */
    public float[] params() {
        ParamLayout layout = layout();
        String first = layout.views().getFirst().name();
        if (!has(first) && base() != null) {
            return base().params();
        }
        return ModelFile.params(file, spec(), "");
    }

    /**
     * A flat buffer laid out like {@link #params()} from the tensors named {@code prefix + parameter name}, e.g.
     * {@code grads("grad.")}, {@code grads("chunk1.grad.")}, {@code grads("adam_step1.")}. Every parameter must
     * have its tensor, with the parameter's shape.
     */
    public float[] grads(String prefix) {
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("grads needs a prefix such as \"grad.\"; use params() for the weights");
        }
        return ModelFile.params(file, spec(), prefix);
    }

    @Override
    public String toString() {
        return "Fixture[" + name + "]";
    }
}
