package recur.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import recur.io.Safetensors.SafetensorsFile;
import recur.io.Safetensors.Tensor;
import recur.model.CellType;
import recur.model.ModelSpec;
import recur.model.ParamLayout;
import recur.model.Task;

/**
 * Saves and loads a model in the {@code recur-rnn/1} format (shared/specs/model-format.md): one safetensors
 * file holding every {@link ParamLayout} view as an F32 tensor named as in a PyTorch {@code state_dict}, and
 * the architecture in {@code __metadata__}.
 *
 * <p>Loading validates the metadata (a missing required key, a bad integer, an unknown cell/task/input kind or
 * an unsupported format is a {@link ModelFormatException} naming it), builds the layout, and requires every
 * parameter tensor to be present as F32 with exactly the expected shape. Tensors that are not parameters are
 * ignored, so a file may also carry data such as {@code tokens}, {@code grad.*}, {@code chunk<c>.grad.*},
 * {@code final.*}, {@code inputs}, {@code targets}, {@code labels} or optimizer state (the PyTorch fixtures do).
 * A tensor is treated as a parameter when it is named {@code h0} or {@code c0} or starts with {@code embed.},
 * {@code rnn.} or {@code head.}; such a tensor that the metadata does not call for (an extra layer, an
 * embedding in a real-input model, {@code h0} when {@code learned_h0} is false) is an error, because it means
 * the metadata and the weights disagree.
 */
public final class ModelFile {

    public static final String FORMAT = "recur-rnn/1";

    /** The metadata keys this class writes and interprets; other keys are carried through untouched. */
    public static final List<String> SPEC_KEYS = List.of("format", "cell", "layers", "hidden", "input", "embedding",
            "input_size", "output", "task", "vocab", "learned_h0");

    private ModelFile() {
    }

    /** A loaded model: its spec, the flat parameter buffer laid out by {@code new ParamLayout(spec)}, and all metadata. */
    public record LoadedModel(ModelSpec spec, float[] params, Map<String, String> metadata) {
        public LoadedModel {
            metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /**
     * Writes {@code params} (laid out by {@code new ParamLayout(spec)}) to {@code path} atomically, with the spec's
     * metadata followed by {@code extraMetadata} (may be null). An extra key that is also a spec key must have the
     * same value as the spec gives it (so that the metadata of a loaded model can be passed back in).
     */
    public static void save(Path path, ModelSpec spec, float[] params, Map<String, String> extraMetadata) {
        Safetensors.write(path, metadata(spec, extraMetadata), tensors(spec, params));
    }

    /** The tensors {@link #save} writes: every parameter view as an F32 tensor (copies), in layout order. */
    public static Map<String, Tensor> tensors(ModelSpec spec, float[] params) {
        ParamLayout layout = new ParamLayout(spec);
        if (params.length != layout.size()) {
            throw new IllegalArgumentException("parameter buffer has " + params.length + " floats but the "
                    + spec.cell() + " model needs " + layout.size());
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (ParamLayout.View v : layout.views()) {
            float[] data = Arrays.copyOfRange(params, v.offset(), v.offset() + v.size());
            tensors.put(v.name(), new Tensor(Safetensors.F32, v.shape().clone(), data, null));
        }
        return tensors;
    }

    /** The {@code __metadata__} of {@code spec} (the keys of {@link #SPEC_KEYS} that apply) plus {@code extra}. */
    public static Map<String, String> metadata(ModelSpec spec, Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("cell", spec.cell().id);
        m.put("layers", Integer.toString(spec.layers()));
        m.put("hidden", Integer.toString(spec.hidden()));
        m.put("input", spec.tokenInput() ? "token" : "real");
        if (spec.tokenInput()) {
            m.put("embedding", Integer.toString(spec.embedding()));
        } else {
            m.put("input_size", Integer.toString(spec.inputSize()));
        }
        m.put("output", Integer.toString(spec.output()));
        m.put("task", spec.task().id);
        if (spec.tokenInput()) {
            m.put("vocab", Json.write(spec.vocab()));
        }
        m.put("learned_h0", Boolean.toString(spec.learnedH0()));
        if (extra != null) {
            for (Map.Entry<String, String> e : extra.entrySet()) {
                String k = e.getKey();
                if (k == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null: " + e);
                }
                if (SPEC_KEYS.contains(k)) {
                    if (!sameSpecValue(k, m.get(k), e.getValue())) {
                        throw new IllegalArgumentException("extra metadata key " + k + " = " + e.getValue()
                                + " contradicts the model spec (" + m.get(k) + ")");
                    }
                    continue;
                }
                m.put(k, e.getValue());
            }
        }
        return m;
    }

    private static boolean sameSpecValue(String key, String ours, String theirs) {
        if (theirs.equals(ours)) {
            return true;
        }
        if (key.equals("vocab") && ours != null) {
            try {
                return Json.parse(theirs).equals(Json.parse(ours)); // same list, other spacing
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }

    /** Loads and validates a model file. */
    public static LoadedModel load(Path path) {
        return load(Safetensors.read(path));
    }

    /** Validates an already-read file as a model (its name is used in messages). */
    public static LoadedModel load(SafetensorsFile file) {
        ModelSpec spec = spec(file.metadata(), file.name());
        float[] params = params(file, spec, "");
        return new LoadedModel(spec, params, file.metadata());
    }

    /**
     * The flat parameter buffer of {@code spec} filled from the tensors named {@code prefix + view name} (prefix
     * "" for the parameters themselves, "grad." or "chunk1.grad." for gradients laid out like them). Every one
     * must be F32 with the view's shape. With an empty prefix, parameter-like tensors the layout does not
     * contain are rejected (see the class comment).
     */
    public static float[] params(SafetensorsFile file, ModelSpec spec, String prefix) {
        ParamLayout layout = new ParamLayout(spec);
        float[] params = new float[layout.size()];
        for (ParamLayout.View v : layout.views()) {
            String name = prefix + v.name();
            Tensor t = file.tensors().get(name);
            if (t == null) {
                throw new ModelFormatException(file.name(), "missing tensor " + name + " (expected F32 "
                        + Arrays.toString(v.shape()) + ")");
            }
            if (!t.dtype().equals(Safetensors.F32)) {
                throw new ModelFormatException(file.name(), "tensor " + name + " is " + t.dtype() + ", expected F32");
            }
            if (!Arrays.equals(t.shape(), v.shape())) {
                throw new ModelFormatException(file.name(), "tensor " + name + " has shape "
                        + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(v.shape()) + " for this "
                        + describe(spec));
            }
            System.arraycopy(t.f32(), 0, params, v.offset(), v.size());
        }
        if (prefix.isEmpty()) {
            List<String> unexpected = new ArrayList<>();
            for (String name : file.tensors().keySet()) {
                if (isParameterName(name) && !layout.has(name)) {
                    unexpected.add(name);
                }
            }
            if (!unexpected.isEmpty()) {
                throw new ModelFormatException(file.name(), "unexpected parameter tensor"
                        + (unexpected.size() > 1 ? "s " : " ") + String.join(", ", unexpected)
                        + " for this " + describe(spec) + " (metadata and weights disagree)");
            }
        }
        return params;
    }

    /** Whether a tensor name belongs to the parameter namespace: h0, c0, embed.*, rnn.*, head.*. */
    public static boolean isParameterName(String name) {
        return name.equals("h0") || name.equals("c0") || name.startsWith("embed.") || name.startsWith("rnn.")
                || name.startsWith("head.");
    }

    private static String describe(ModelSpec s) {
        return s.cell() + " model (" + s.layers() + " layer" + (s.layers() > 1 ? "s" : "") + ", hidden "
                + s.hidden() + ", " + (s.tokenInput() ? "embedding " + s.embedding() + ", vocab " + s.vocabSize()
                : "input_size " + s.inputSize()) + ", output " + s.output()
                + (s.learnedH0() ? ", learned h0" : "") + ")";
    }

    /**
     * Builds and validates a spec from {@code __metadata__}-style string values; {@code file} names the source in
     * the {@link ModelFormatException} messages.
     */
    public static ModelSpec spec(Map<String, String> meta, String file) {
        String format = required(meta, "format", file);
        if (!format.equals(FORMAT)) {
            throw new ModelFormatException(file, "unsupported format '" + format + "' (expected " + FORMAT + ")");
        }
        CellType cell;
        try {
            cell = CellType.parse(required(meta, "cell", file));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "metadata cell: " + e.getMessage());
        }
        Task task;
        try {
            task = Task.parse(required(meta, "task", file));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "metadata task: " + e.getMessage());
        }
        int layers = positiveInt(meta, "layers", file);
        int hidden = positiveInt(meta, "hidden", file);
        int output = positiveInt(meta, "output", file);
        String input = required(meta, "input", file);
        String h0 = required(meta, "learned_h0", file);
        boolean learnedH0;
        if (h0.equals("true")) {
            learnedH0 = true;
        } else if (h0.equals("false")) {
            learnedH0 = false;
        } else {
            throw new ModelFormatException(file, "metadata learned_h0: '" + h0 + "' is not true or false");
        }
        try {
            switch (input) {
                case "token" -> {
                    int embedding = positiveInt(meta, "embedding", file);
                    List<String> vocab = vocab(required(meta, "vocab", file), file);
                    return ModelSpec.tokens(cell, layers, hidden, embedding, vocab, task, output, learnedH0);
                }
                case "real" -> {
                    int inputSize = positiveInt(meta, "input_size", file);
                    return ModelSpec.real(cell, layers, hidden, inputSize, task, output, learnedH0);
                }
                default -> throw new ModelFormatException(file, "metadata input: unknown input '" + input
                        + "' (expected token or real)");
            }
        } catch (ModelFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "invalid model: " + e.getMessage());
        }
    }

    private static String required(Map<String, String> meta, String key, String file) {
        String v = meta.get(key);
        if (v == null) {
            throw new ModelFormatException(file, "missing metadata key " + key);
        }
        return v;
    }

    private static int positiveInt(Map<String, String> meta, String key, String file) {
        String v = required(meta, key, file);
        boolean digits = !v.isEmpty() && v.length() <= 10 && v.chars().allMatch(c -> c >= '0' && c <= '9');
        long n = digits ? Long.parseLong(v) : -1;
        if (!digits || n > Integer.MAX_VALUE) {
            throw new ModelFormatException(file, "metadata " + key + ": '" + shorten(v) + "' is not an integer");
        }
        if (n < 1) {
            throw new ModelFormatException(file, "metadata " + key + ": must be at least 1, got " + n);
        }
        return (int) n;
    }

    private static List<String> vocab(String text, String file) {
        Object v;
        try {
            v = Json.parse(text);
        } catch (Json.JsonException e) {
            throw new ModelFormatException(file, "metadata vocab is not a JSON array: " + e.getMessage());
        }
        if (!(v instanceof List<?> list)) {
            throw new ModelFormatException(file, "metadata vocab is a JSON " + Json.typeName(v) + ", not an array");
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new ModelFormatException(file, "metadata vocab[" + i + "] is a JSON "
                        + Json.typeName(list.get(i)) + ", not a string");
            }
            out.add(s);
        }
        return out;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
