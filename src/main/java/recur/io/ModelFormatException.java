package recur.io;

/**
 * A model or tensor file that does not follow the format ({@code docs: shared/specs/model-format.md}): a
 * malformed safetensors container, missing or invalid metadata, or tensors of the wrong shape. The message is
 * one line, {@code "<file>: <problem>"}, e.g.
 * {@code "model.safetensors: tensor rnn.weight_hh_l0: data_offsets [0, 100] hold 100 bytes, but F32 [64, 16] needs 4096"}.
 */
public class ModelFormatException extends RuntimeException {
    private final String file;
    private final String problem;

    public ModelFormatException(String file, String problem) {
        this(file, problem, null);
    }

    public ModelFormatException(String file, String problem, Throwable cause) {
        super(oneLine(file + ": " + problem), cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file (as given by the caller) the problem was found in. */
    public String file() {
        return file;
    }

    /** The problem without the file name. */
    public String problem() {
        return problem;
    }

    private static String oneLine(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }
}
