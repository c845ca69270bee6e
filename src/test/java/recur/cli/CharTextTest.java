package recur.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory-mapped text of {@code train --text} gives the ids and vocabulary the in-memory text gives. */
class CharTextTest {
    @TempDir
    Path dir;

    @Test
    void aMappedFileMatchesTheSameTextInMemory() throws Exception {
        String content = "Héllo, wörld 😀\r\nsecond line: 𝄞 and ünïcode.\n";
        byte[] bytes = ("\uFEFF" + content).getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("t.txt");
        Files.write(file, bytes);
        CharText mapped = CharText.map(file, "text file");
        CharText memory = CharText.of(content);
        assertEquals(memory.vocab().tokens(), mapped.vocab().tokens());
        assertArrayEquals(memory.tokens(), mapped.tokens());
        assertEquals(content.codePointCount(0, content.length()), mapped.tokens().length, "the byte-order mark is dropped");
        String fileHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertEquals(fileHash, mapped.sha256(), "the hash is of the file's bytes");
    }

    @Test
    void badFilesAreOneLineErrors() throws Exception {
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'a', 'b', (byte) 0xE9, 'c'});
        UserError e = assertThrows(UserError.class, () -> CharText.map(latin1, "text file"));
        assertTrue(e.getMessage().contains("is not UTF-8 text: byte 0xE9 at offset 2"), e.getMessage());
        Path empty = dir.resolve("empty.txt");
        Files.write(empty, new byte[0]);
        e = assertThrows(UserError.class, () -> CharText.map(empty, "text file"));
        assertTrue(e.getMessage().contains("is empty"), e.getMessage());
        e = assertThrows(UserError.class, () -> CharText.map(dir.resolve("none.txt"), "text file"));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
