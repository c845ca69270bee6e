package recur.model;

import java.util.List;

/**
 * The architecture of a model: everything needed to lay out its parameters. Token models have an
 * embedding (vocab size V = vocab.size(), width {@code embedding}); real-valued models read vectors of
 * {@code inputSize}. {@code output} is O: V for a language model, classes, or regression outputs.
 */
public record ModelSpec(CellType cell, int layers, int hidden, boolean tokenInput, int embedding, int inputSize,
                        int output, Task task, List<String> vocab, boolean learnedH0) {

    public ModelSpec {
        vocab = vocab == null ? List.of() : List.copyOf(vocab);
        if (cell == null || task == null) {
            throw new IllegalArgumentException("cell and task are required");
        }
        if (layers < 1) {
            throw new IllegalArgumentException("layers must be at least 1, got " + layers);
        }
        if (hidden < 1) {
            throw new IllegalArgumentException("hidden size must be at least 1, got " + hidden);
        }
        if (output < 1) {
            throw new IllegalArgumentException("output size must be at least 1, got " + output);
        }
        if (tokenInput) {
            if (embedding < 1) {
                throw new IllegalArgumentException("embedding size must be at least 1, got " + embedding);
            }
            if (vocab.isEmpty()) {
                throw new IllegalArgumentException("a token model needs a vocabulary");
            }
            if (new java.util.HashSet<>(vocab).size() != vocab.size()) {
                throw new IllegalArgumentException("the vocabulary lists a token more than once");
            }
            if (task == Task.LM && output != vocab.size()) {
                throw new IllegalArgumentException("a language model's output (" + output
                        + ") must equal its vocabulary size (" + vocab.size() + ")");
            }
        } else if (inputSize < 1) {
            throw new IllegalArgumentException("input size must be at least 1, got " + inputSize);
        }
        long params = ParamLayout.count(cell, layers, hidden, tokenInput ? vocab.size() : 0,
                tokenInput ? embedding : inputSize, output, learnedH0);
        if (params > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("model too large: " + params + " parameters (limit 2^31)");
        }
    }

    /** A token-input model. */
    public static ModelSpec tokens(CellType cell, int layers, int hidden, int embedding, List<String> vocab, Task task,
                                   int output, boolean learnedH0) {
        return new ModelSpec(cell, layers, hidden, true, embedding, 0, output, task, vocab, learnedH0);
    }

    /** A real-valued-input model. */
    public static ModelSpec real(CellType cell, int layers, int hidden, int inputSize, Task task, int output,
                                 boolean learnedH0) {
        return new ModelSpec(cell, layers, hidden, false, 0, inputSize, output, task, List.of(), learnedH0);
    }

    public int vocabSize() {
        return vocab.size();
    }

    /** Width of the first recurrent layer's input: E for tokens, input_size for real vectors. */
    public int firstInputWidth() {
        return tokenInput ? embedding : inputSize;
    }

    /** Width of layer k's input. */
    public int inputWidth(int layer) {
        return layer == 0 ? firstInputWidth() : hidden;
    }

    /** G*H: rows of each layer's weight matrices. */
    public int gateRows() {
        return cell.gates * hidden;
    }
}
