package recur.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.function.IntConsumer;

/**
 * A UTF-8 text file read through a memory map, region by region (at most {@link #REGION} bytes mapped at
 * a time), decoded strictly into code points that are handed to a consumer. Neither the bytes nor the
 * decoded text is ever copied whole, so a file larger than the heap can be counted and encoded; only
 * what the consumer keeps (token ids) stays in memory. A leading byte-order mark is skipped. An empty
 * file or a byte that is not UTF-8 is an {@link IllegalArgumentException} naming the file and the offset.
 */
public final class MappedText {
    /** Bytes mapped at a time. */
    static final int REGION = 64 << 20;
    private static final int CHARS = 1 << 16;

    private final Path path;
    private final String what;
    private final int region;

    /** {@code what} names the file's role in messages ("text file", "labels file"). */
    public MappedText(Path path, String what) {
        this(path, what, REGION);
    }

    MappedText(Path path, String what, int region) {
        this.path = path;
        this.what = what;
        this.region = region;
    }

    /** One pass over the file's code points; returns the SHA-256 of its bytes (hex). */
    public String forEachCodePoint(IntConsumer consumer) {
        MessageDigest sha = sha256();
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(CHARS);
        Chars chars = new Chars(consumer);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                throw new IllegalArgumentException(what + " " + path + " is empty; give a file with some text in it");
            }
            long offset = 0;
            while (offset < size) {
                long length = Math.min(Math.max(region, 4), size - offset); // 4: one whole UTF-8 sequence
                boolean last = offset + length == size;
                MappedByteBuffer in = ch.map(FileChannel.MapMode.READ_ONLY, offset, length);
                while (true) {
                    CoderResult r = decoder.decode(in, out, last);
                    if (r.isError()) {
                        long at = offset + in.position();
                        throw new IllegalArgumentException(what + " " + path + " is not UTF-8 text: byte 0x"
                                + String.format("%02X", in.get(in.position()) & 0xFF) + " at offset " + at
                                + " is invalid; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)");
                    }
                    drain(out, chars);
                    if (r.isUnderflow()) {
                        break;
                    }
                }
                int consumed = in.position();
                sha.update(in.flip().limit(consumed));
                if (consumed == 0 && !last) {
                    throw new IllegalStateException("no progress decoding " + path + " at offset " + offset);
                }
                offset += consumed;
                if (last) {
                    break;
                }
            }
            decoder.flush(out);
            drain(out, chars);
            chars.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + what + " " + path + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void drain(CharBuffer out, Chars chars) {
        out.flip();
        while (out.hasRemaining()) {
            chars.accept(out.get());
        }
        out.clear();
    }

    /** Distinct code points and their total count, in one pass. */
    public record CharStats(BitSet codePoints, long count, String sha256) {
    }

    public CharStats charStats() {
        BitSet seen = new BitSet();
        long[] count = {0};
        String sha = forEachCodePoint(cp -> {
            seen.set(cp);
            count[0]++;
        });
        return new CharStats(seen, count[0], sha);
    }

    /** The file's characters as ids of {@code vocab}; {@code count} is the number of code points. */
    public int[] encodeChars(CharVocabulary vocab, long count) {
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + " " + path + " has " + count + " characters; at most 2^31 fit one array");
        }
        int[] ids = new int[(int) count];
        int[] n = {0};
        forEachCodePoint(cp -> {
            int id = vocab.id(cp);
            if (id < 0) {
                throw new IllegalArgumentException("character " + CharVocabulary.quote(new String(Character.toChars(cp)))
                        + " (U+" + String.format("%04X", cp) + ") at character " + n[0] + " of " + path
                        + " is not in the model's vocabulary");
            }
            ids[n[0]++] = id;
        });
        return ids;
    }

    /** Feeds every code point to a tokenizer and finishes it. */
    public String tokenize(WordTokenizer tokenizer) {
        String sha = forEachCodePoint(tokenizer::feed);
        tokenizer.finish();
        return sha;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Joins surrogate pairs and drops a leading byte-order mark. */
    private static final class Chars {
        private final IntConsumer consumer;
        private char high;
        private boolean first = true;

        Chars(IntConsumer consumer) {
            this.consumer = consumer;
        }

        void accept(char c) {
            if (first) {
                first = false;
                if (c == '\uFEFF') {
                    return;
                }
            }
            if (high != 0) {
                char h = high;
                high = 0;
                if (Character.isLowSurrogate(c)) {
                    consumer.accept(Character.toCodePoint(h, c));
                    return;
                }
                consumer.accept(h);
            }
            if (Character.isHighSurrogate(c)) {
                high = c;
            } else {
                consumer.accept(c);
            }
        }

        void finish() {
            if (high != 0) {
                consumer.accept(high);
                high = 0;
            }
        }
    }
}
