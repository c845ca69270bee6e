package recur.cli;

import java.nio.file.Path;
import recur.data.CharVocabulary;
import recur.io.ModelFile;
import recur.model.ModelSpec;
import recur.model.Task;

/** A character language model loaded for eval and sample: spec, parameters and its vocabulary. */
record LanguageModel(Path path, ModelSpec spec, float[] params, CharVocabulary vocabulary) {

    static LanguageModel load(Path path) {
        TextFiles.requireReadable(path, "model file");
        ModelFile.LoadedModel m = ModelFile.load(path);
        ModelSpec spec = m.spec();
        if (!spec.tokenInput() || spec.task() != Task.LM) {
            throw new UserError("model file " + path + " is a " + spec.task() + " model with "
                    + (spec.tokenInput() ? "token" : "real-valued") + " input; this command needs a character "
                    + "language model (made by 'recur train --text ...')");
        }
        CharVocabulary vocab;
        try {
            vocab = new CharVocabulary(spec.vocab());
        } catch (IllegalArgumentException e) {
            throw new UserError("model file " + path + " has a vocabulary that is not character-level: "
                    + e.getMessage());
        }
        return new LanguageModel(path, spec, m.params(), vocab);
    }

    /** Encodes text with the model's vocabulary; an unknown character is an error naming it and its position. */
    int[] encode(String text, String source) {
        try {
            return vocabulary.encode(text);
        } catch (IllegalArgumentException e) {
            throw new UserError(source + ": " + e.getMessage() + " (" + path + " knows " + vocabulary.size()
                    + " characters)");
        }
    }
}
