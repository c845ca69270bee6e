package recur.cli;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import recur.data.CharVocabulary;
import recur.data.MappedText;

/**
 * A text as character ids: the ids, the vocabulary (its distinct code points, ascending) and a SHA-256
 * for the record. A file is read through a memory map in two passes ({@link MappedText}: vocabulary,
 * then ids), so it is never held as a String or a byte array; only the ids stay in memory. An empty
 * file or bytes that are not UTF-8 are one-line errors naming the file (and the byte offset).
 */
record CharText(int[] tokens, CharVocabulary vocab, String sha256) {

    /** Text already in memory (the generated default); the hash is of its UTF-8 bytes. */
    static CharText of(String text) {
        CharVocabulary vocab = CharVocabulary.of(text);
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return new CharText(vocab.encode(text), vocab,
                    HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A UTF-8 file, memory-mapped; the hash is of the file's bytes. {@code what} names its role. */
    static CharText map(Path file, String what) {
        TextFiles.requireReadable(file, what);
        MappedText text = new MappedText(file, what);
        try {
            MappedText.CharStats stats = text.charStats();
            List<String> chars = new ArrayList<>();
            stats.codePoints().stream().forEach(cp -> chars.add(new String(Character.toChars(cp))));
            CharVocabulary vocab = new CharVocabulary(chars);
            return new CharText(text.encodeChars(vocab, stats.count()), vocab, stats.sha256());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new UserError(e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new UserError(what + " " + file + " has more characters than fit in memory as ids; give the JVM "
                    + "more heap (RECUR_JAVA_OPTS=-Xmx8g) or use a smaller file", e);
        }
    }
}
