package recur.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the files a command is given, turning every way a file can be unusable into a {@link UserError}. */
final class TextFiles {
    private TextFiles() {}

    /** Checks that {@code path} is an existing, readable, non-empty regular file; {@code what} names its role. */
    static void requireReadable(Path path, String what) {
        if (!Files.exists(path)) {
            throw new UserError(what + " " + path + " does not exist; check the path");
        }
        if (Files.isDirectory(path)) {
            throw new UserError(what + " " + path + " is a directory; give a file");
        }
        if (!Files.isReadable(path)) {
            throw new UserError(what + " " + path + " is not readable; check its permissions");
        }
    }

    /**
     * The whole file decoded as strict UTF-8 (a leading byte-order mark is dropped). Empty files and
     * bytes that are not UTF-8 are errors naming the file and the byte offset.
     */
    static String readUtf8(Path path, String what) {
        requireReadable(path, what);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new UserError(what + " " + path + " does not exist; check the path", e);
        } catch (AccessDeniedException e) {
            throw new UserError(what + " " + path + " is not readable; check its permissions", e);
        } catch (IOException e) {
            throw new UserError("cannot read " + what + " " + path + ": " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new UserError(what + " " + path + " does not fit in memory; give the JVM more heap "
                    + "(RECUR_JAVA_OPTS=-Xmx8g) or use a smaller file", e);
        }
        if (bytes.length == 0) {
            throw new UserError(what + " " + path + " is empty; give a file with some text in it");
        }
        return decode(bytes, path + "", what);
    }

    /** Strict UTF-8 decoding; the error names the first bad byte and its offset. */
    static String decode(byte[] bytes, String name, String what) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isUnderflow()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            int at = in.position();
            throw new UserError(what + " " + name + " is not UTF-8 text: byte 0x"
                    + String.format("%02X", bytes[at] & 0xFF) + " at offset " + at
                    + " is invalid; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)");
        }
        out.flip();
        if (out.length() > 0 && out.charAt(0) == '\uFEFF') {
            out.position(1);
        }
        return out.toString();
    }
}
