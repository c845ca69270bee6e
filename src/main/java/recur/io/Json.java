package recur.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) parser and writer with no dependencies.
 *
 * <p>Parsing maps JSON values to Java values as follows: object → {@link LinkedHashMap}{@code <String,Object>}
 * (key order kept; a duplicate key is an error), array → {@link ArrayList}{@code <Object>}, string →
 * {@link String}, number → {@link Long} when it is written without fraction or exponent and fits in a long,
 * otherwise {@link Double}, {@code true}/{@code false} → {@link Boolean}, {@code null} → {@code null}.
 * Nesting is limited to {@link #MAX_DEPTH}. Anything else (trailing commas, comments, leading zeros, NaN,
 * unescaped control characters, lone surrogates in escapes, text after the value) is rejected with a
 * {@link JsonException} whose one-line message names the offset, line and column.
 *
 * <p>Writing accepts the same types plus any {@link Map} (keys converted with {@code String.valueOf}), any
 * {@link Iterable}, Java arrays of primitives or objects, any {@link Number} and {@link Character}; non-finite
 * numbers are rejected. {@link #write(Object)} is compact (one line, suitable for JSON lines),
 * {@link #pretty(Object)} indents by two spaces.
 */
public final class Json {

    /** Deepest nesting of arrays and objects accepted by the parser and the writer. */
    public static final int MAX_DEPTH = 256;

    private Json() {
    }

    /** A malformed JSON text or an unwritable value. The message is one line and names the position. */
    public static final class JsonException extends IllegalArgumentException {
        private final int offset;

        public JsonException(String message, int offset) {
            super(message);
            this.offset = offset;
        }

        /** Character offset of the problem in the input, or -1 for writer errors. */
        public int offset() {
            return offset;
        }
    }

    // ------------------------------------------------------------------------------------------ parsing

    /** Parses one JSON value (surrounding whitespace allowed, nothing else). */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.skipWs();
        Object v = p.value(0);
        p.skipWs();
        if (p.pos < text.length()) {
            throw p.error("unexpected " + p.describe(p.pos) + " after the JSON value");
        }
        return v;
    }

    /** Parses a JSON text that must be an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new JsonException("expected a JSON object at line 1 column 1 but found " + typeName(v), 0);
        }
        return (Map<String, Object>) v;
    }

    /** The JSON type name of a parsed value, for error messages: object, array, string, number, boolean, null. */
    public static String typeName(Object v) {
        if (v == null) {
            return "null";
        } else if (v instanceof Map) {
            return "object";
        } else if (v instanceof List) {
            return "array";
        } else if (v instanceof String) {
            return "string";
        } else if (v instanceof Number) {
            return "number";
        } else if (v instanceof Boolean) {
            return "boolean";
        }
        return v.getClass().getSimpleName();
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        JsonException error(String what) {
            return error(what, pos);
        }

        JsonException error(String what, int at) {
            int line = 1;
            int col = 1;
            for (int i = 0; i < at && i < s.length(); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return new JsonException("invalid JSON at line " + line + " column " + col + " (offset " + at + "): "
                    + what, at);
        }

        String describe(int at) {
            if (at >= s.length()) {
                return "end of input";
            }
            char c = s.charAt(at);
            if (c < 0x20 || c == 0x7f) {
                return String.format("control character U+%04X", (int) c);
            }
            return "'" + c + "'";
        }

        void skipWs() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        Object value(int depth) {
            if (pos >= s.length()) {
                throw error("unexpected end of input, expected a value");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return object(depth + 1);
                case '[':
                    return array(depth + 1);
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected " + describe(pos) + ", expected a value");
            }
        }

        Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) {
                throw error("unexpected " + describe(pos) + ", expected a value");
            }
            pos += word.length();
            return v;
        }

        Map<String, Object> object(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
            pos++; // {
            Map<String, Object> map = new LinkedHashMap<>();
            skipWs();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipWs();
                if (pos >= s.length() || s.charAt(pos) != '"') {
                    throw error("unexpected " + describe(pos) + ", expected a string key");
                }
                int keyAt = pos;
                String key = string();
                skipWs();
                if (pos >= s.length() || s.charAt(pos) != ':') {
                    throw error("unexpected " + describe(pos) + ", expected ':'");
                }
                pos++;
                skipWs();
                Object v = value(depth);
                if (map.containsKey(key)) {
                    throw error("duplicate key \"" + truncate(key) + "\"", keyAt);
                }
                map.put(key, v);
                skipWs();
                if (pos >= s.length()) {
                    throw error("unexpected end of input, expected ',' or '}'");
                }
                char c = s.charAt(pos++);
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    throw error("unexpected " + describe(pos - 1) + ", expected ',' or '}'", pos - 1);
                }
            }
        }

        List<Object> array(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
            pos++; // [
            List<Object> list = new ArrayList<>();
            skipWs();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipWs();
                list.add(value(depth));
                skipWs();
                if (pos >= s.length()) {
                    throw error("unexpected end of input, expected ',' or ']'");
                }
                char c = s.charAt(pos++);
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    throw error("unexpected " + describe(pos - 1) + ", expected ',' or ']'", pos - 1);
                }
            }
        }

        String string() {
            int start = pos;
            pos++; // opening quote
            StringBuilder sb = null;
            int runStart = pos;
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string starting at offset " + start);
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String out;
                    if (sb == null) {
                        out = s.substring(runStart, pos);
                    } else {
                        sb.append(s, runStart, pos);
                        out = sb.toString();
                    }
                    pos++;
                    return out;
                }
                if (c < 0x20) {
                    throw error("unescaped " + describe(pos) + " in string");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(s, runStart, pos);
                int escAt = pos;
                pos++;
                if (pos >= s.length()) {
                    throw error("unterminated string starting at offset " + start);
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        char u = hex4(escAt);
                        if (Character.isHighSurrogate(u)) {
                            if (pos + 1 < s.length() && s.charAt(pos) == '\\' && s.charAt(pos + 1) == 'u') {
                                int lowAt = pos;
                                pos += 2;
                                char low = hex4(lowAt);
                                if (!Character.isLowSurrogate(low)) {
                                    throw error("high surrogate escape not followed by a low surrogate", escAt);
                                }
                                sb.append(u).append(low);
                            } else {
                                throw error("high surrogate escape not followed by a low surrogate", escAt);
                            }
                        } else if (Character.isLowSurrogate(u)) {
                            throw error("lone low surrogate escape", escAt);
                        } else {
                            sb.append(u);
                        }
                    }
                    default -> throw error("invalid escape '\\" + (e < 0x20 ? "?" : String.valueOf(e)) + "'", escAt);
                }
                runStart = pos;
            }
        }

        char hex4(int escAt) {
            if (pos + 4 > s.length()) {
                throw error("truncated \\u escape", escAt);
            }
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(s.charAt(pos + i), 16);
                if (d < 0) {
                    throw error("invalid hex digit in \\u escape", escAt);
                }
                v = v * 16 + d;
            }
            pos += 4;
            return (char) v;
        }

        Object number() {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                throw error("invalid number: expected a digit", pos);
            }
            if (s.charAt(pos) == '0') {
                pos++;
                if (pos < s.length() && isDigit(s.charAt(pos))) {
                    throw error("invalid number: leading zero", start);
                }
            } else {
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            boolean integral = true;
            if (pos < s.length() && s.charAt(pos) == '.') {
                integral = false;
                pos++;
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("invalid number: expected a digit after '.'", pos);
                }
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integral = false;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("invalid number: expected a digit in the exponent", pos);
                }
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            String text = s.substring(start, pos);
            if (integral) {
                // At most 19 digits always fit unless out of range; parseLong tells us.
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException tooBig) {
                    // fall through to double
                }
            }
            double d = Double.parseDouble(text);
            if (Double.isInfinite(d)) {
                throw error("number out of range: " + truncate(text), start);
            }
            return d;
        }

        static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }

    private static String truncate(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------ writing

    /** Compact JSON on one line (no newline at the end): suitable for JSON lines and wire formats. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, false, 0);
        return sb.toString();
    }

    /** Pretty JSON, indented by two spaces (no newline at the end). */
    public static String pretty(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, true, 0);
        return sb.toString();
    }

    /** Appends the compact or pretty form of {@code value} to {@code out}. */
    public static void write(StringBuilder out, Object value, boolean pretty) {
        write(out, value, pretty, 0);
    }

    /** A JSON string literal for {@code s}, with quotes. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        writeString(sb, s);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, boolean pretty, int depth) {
        if (depth > MAX_DEPTH) {
            throw new JsonException("cannot write JSON: nesting deeper than " + MAX_DEPTH
                    + " (is the structure cyclic?)", -1);
        }
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String str) {
            writeString(sb, str);
        } else if (v instanceof Character ch) {
            writeString(sb, String.valueOf(ch));
        } else if (v instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                throw new JsonException("cannot write JSON: non-finite number " + d, -1);
            }
            // Java's shortest round-trip form ("3.0", "1.0E-5") is valid JSON and reads back as a Double.
            sb.append(v instanceof Float f ? Float.toString(f) : Double.toString(d));
        } else if (v instanceof java.math.BigDecimal bd) {
            sb.append(bd.toString());
        } else if (v instanceof Number n) {
            // Long, Integer, Short, Byte, BigInteger, AtomicLong...
            sb.append(n.toString());
        } else if (v instanceof Map<?, ?> m) {
            writeObject(sb, m, pretty, depth);
        } else if (v instanceof Iterable<?> it) {
            List<Object> items = new ArrayList<>();
            it.forEach(items::add);
            writeArray(sb, items, pretty, depth);
        } else if (v.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(v);
            List<Object> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                items.add(java.lang.reflect.Array.get(v, i));
            }
            writeArray(sb, items, pretty, depth);
        } else {
            throw new JsonException("cannot write JSON: unsupported type " + v.getClass().getName(), -1);
        }
    }

    private static void newline(StringBuilder sb, int depth) {
        sb.append('\n');
        for (int i = 0; i < depth; i++) {
            sb.append("  ");
        }
    }

    private static void writeObject(StringBuilder sb, Map<?, ?> m, boolean pretty, int depth) {
        if (m.isEmpty()) {
            sb.append("{}");
            return;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            if (pretty) {
                newline(sb, depth + 1);
            }
            writeString(sb, String.valueOf(e.getKey()));
            sb.append(pretty ? ": " : ":");
            write(sb, e.getValue(), pretty, depth + 1);
        }
        if (pretty) {
            newline(sb, depth);
        }
        sb.append('}');
    }

    private static void writeArray(StringBuilder sb, List<Object> items, boolean pretty, int depth) {
        if (items.isEmpty()) {
            sb.append("[]");
            return;
        }
        // Arrays of scalars stay on one line even in pretty mode (shapes, vectors).
        boolean flat = !pretty || items.stream().noneMatch(x -> x instanceof Map || x instanceof Iterable
                || (x != null && x.getClass().isArray()));
        sb.append('[');
        boolean first = true;
        for (Object x : items) {
            if (!first) {
                sb.append(pretty && flat ? ", " : ",");
            }
            first = false;
            if (!flat) {
                newline(sb, depth + 1);
            }
            write(sb, x, pretty, depth + 1);
        }
        if (!flat) {
            newline(sb, depth);
        }
        sb.append(']');
    }

    private static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029'
                            || (Character.isSurrogate(c) && !validSurrogateAt(s, i))) {
                        // Lone surrogates cannot be encoded in UTF-8: escape them so the output stays valid.
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
