package recur.cli;

import java.nio.file.Path;
import java.util.List;
import recur.data.CharVocabulary;
import recur.data.WordTokenizer;
import recur.data.WordVocabulary;
import recur.io.ModelFile;
import recur.model.ModelSpec;
import recur.model.Task;

/**
 * A language model loaded for eval, sample and score: spec, parameters and its vocabulary. A character
 * model has {@code vocabulary}; a word model (metadata {@code tokenizer: word}) has {@code words} and
 * {@code vocabulary} null.
 */
record LanguageModel(Path path, ModelSpec spec, float[] params, CharVocabulary vocabulary, WordVocabulary words,
                     boolean lowercase) {

    static LanguageModel load(Path path) {
        TextFiles.requireReadable(path, "model file");
        ModelFile.LoadedModel m = ModelFile.load(path);
        ModelSpec spec = m.spec();
        if (!spec.tokenInput() || spec.task() != Task.LM) {
            throw new UserError("model file " + path + " is a " + spec.task() + " model with "
                    + (spec.tokenInput() ? "token" : "real-valued") + " input; this command needs a character "
                    + "language model (made by 'recur train --text ...')");
        }
        if ("word".equals(m.metadata().get("tokenizer"))) {
            try {
                return new LanguageModel(path, spec, m.params(), null, new WordVocabulary(spec.vocab()),
                        !"false".equals(m.metadata().get("lowercase")));
            } catch (IllegalArgumentException e) {
                throw new UserError("model file " + path + " says it is word-level but its vocabulary is not: "
                        + e.getMessage());
            }
        }
        CharVocabulary vocab;
        try {
            vocab = new CharVocabulary(spec.vocab());
        } catch (IllegalArgumentException e) {
            throw new UserError("model file " + path + " has a vocabulary that is not character-level: "
                    + e.getMessage());
        }
        return new LanguageModel(path, spec, m.params(), vocab, null, false);
    }

    /** Encodes text with the model's vocabulary; an unknown character is an error naming it and its position. */
    int[] encode(String text, String source) {
        if (words != null) {
            return words.encode(tokenize(text)); // unknown words become <unk>
        }
        try {
            return vocabulary.encode(text);
        } catch (IllegalArgumentException e) {
            throw new UserError(source + ": " + e.getMessage() + " (" + path + " knows " + vocabulary.size()
                    + " characters)");
        }
    }

    /** Word models: the text's tokens as the model was trained on them. */
    List<String> tokenize(String text) {
        return WordTokenizer.tokenize(text, lowercase);
    }

    boolean word() {
        return words != null;
    }

    /** What one token is: "char" or "word". */
    String unit() {
        return words != null ? "word" : "char";
    }

    String decode(int id) {
        return words != null ? words.token(id) : vocabulary.decode(id);
    }
}
