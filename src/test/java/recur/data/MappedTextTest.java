package recur.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedTextTest {
    @TempDir
    Path dir;

    /** Multi-byte characters (2, 3 and 4 bytes) so that small regions split them. */
    private static String text() {
        StringBuilder sb = new StringBuilder("\uFEFF");
        String base = SyntheticText.generate(5, 3000);
        for (int i = 0; i < base.length(); i++) {
            sb.append(base.charAt(i));
            if (i % 37 == 0) {
                sb.append("é€😀");
            }
        }
        return sb.toString();
    }

    @Test
    void mappedReadEqualsNormalRead() throws Exception {
        String text = text();
        Path p = dir.resolve("t.txt");
        Files.writeString(p, text, StandardCharsets.UTF_8);
        String expected = text.substring(1); // the byte-order mark is dropped
        for (int region : new int[] {1, 7, 33, 1023, MappedText.REGION}) {
            StringBuilder got = new StringBuilder();
            new MappedText(p, "text file", region).forEachCodePoint(got::appendCodePoint);
            assertEquals(expected, got.toString(), "region " + region);
        }
        MappedText m = new MappedText(p, "text file", 33);
        MappedText.CharStats stats = m.charStats();
        assertEquals(expected.codePointCount(0, expected.length()), stats.count());
        CharVocabulary vocab = CharVocabulary.of(expected);
        assertArrayEquals(vocab.encode(expected), m.encodeChars(vocab, stats.count()));
        List<String> words = new ArrayList<>();
        m.tokenize(new WordTokenizer(true, words::add));
        assertEquals(WordTokenizer.tokenize(expected, true), words);
        assertEquals(64, stats.sha256().length());
    }

    @Test
    void badBytesAndEmptyFilesAreErrorsWithTheOffset() throws Exception {
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'a', 'b', 'c', (byte) 0xE9, 'd'});
        for (int region : new int[] {2, 1 << 20}) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> new MappedText(bad, "text file", region).charStats());
            assertTrue(e.getMessage().contains("0xE9") && e.getMessage().contains("offset 3"), e.getMessage());
        }
        Path empty = dir.resolve("empty.txt");
        Files.write(empty, new byte[0]);
        var e = assertThrows(IllegalArgumentException.class, () -> new MappedText(empty, "text file").charStats());
        assertTrue(e.getMessage().contains("is empty"), e.getMessage());
        Path text = dir.resolve("x.txt");
        Files.writeString(text, "ab€");
        var mismatch = assertThrows(IllegalArgumentException.class,
                () -> new MappedText(text, "text file").encodeChars(CharVocabulary.of("ab"), 3));
        assertTrue(mismatch.getMessage().contains("'€'") && mismatch.getMessage().contains("character 2"), mismatch.getMessage());
    }
}
