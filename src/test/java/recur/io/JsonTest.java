package recur.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesAllTypes() {
        Map<String, Object> m = Json.parseObject(
                " {\"a\": 1, \"b\": -2.5e3, \"c\": \"x\\ny\\u00e9\\ud83d\\ude00\", \"d\": [true, false, null],"
                        + " \"e\": {}, \"f\": [], \"g\": 0, \"h\": -0.0, \"i\": 12345678901234567890} ");
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"), List.copyOf(m.keySet()));
        assertEquals(1L, m.get("a"));
        assertEquals(-2500.0, m.get("b"));
        assertEquals("x\nyé😀", m.get("c"));
        assertEquals(Arrays.asList(true, false, null), m.get("d"));
        assertEquals(Map.of(), m.get("e"));
        assertEquals(List.of(), m.get("f"));
        assertEquals(0L, m.get("g"));
        assertInstanceOf(Double.class, m.get("h"));
        assertEquals(1.2345678901234567e19, m.get("i"));
        assertInstanceOf(LinkedHashMap.class, m);
        assertNull(Json.parse("null"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
    }

    @Test
    void roundTripsCompactAndPretty() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "quote\" backslash\\ tab\t ctrl\u0001 del\u007f nl\n sep\u2028 emoji😀");
        m.put("ints", List.of(1L, -2L, Long.MAX_VALUE));
        m.put("doubles", List.of(0.1, -1.5e-300, 3.0, 1e300));
        m.put("nested", Map.of("deep", List.of(Map.of("x", true))));
        m.put("nothing", null);
        m.put("empty", Map.of());
        String compact = Json.write(m);
        assertFalse(compact.contains("\n"), compact);
        assertEquals(m, Json.parse(compact));
        String pretty = Json.pretty(m);
        assertTrue(pretty.contains("\n  \"ints\": [1, -2, 9223372036854775807]"), pretty);
        assertEquals(m, Json.parse(pretty));
        assertEquals("\"a\\u0001\\\"\"", Json.quote("a\u0001\""));
    }

    @Test
    void writesArraysNumbersAndLoneSurrogates() {
        assertEquals("[1,2,3]", Json.write(new int[] {1, 2, 3}));
        assertEquals("[0.5,1.0E-5]", Json.write(new float[] {0.5f, 1e-5f}));
        assertEquals("[\"a\",null]", Json.write(new String[] {"a", null}));
        assertEquals("\"\\ud800x\"", Json.write("\ud800x"));
        assertEquals(0.1f, ((Double) Json.parse(Json.write(0.1f))).floatValue());
        assertThrows(Json.JsonException.class, () -> Json.write(Double.NaN));
        assertThrows(Json.JsonException.class, () -> Json.write(Float.POSITIVE_INFINITY));
        assertThrows(Json.JsonException.class, () -> Json.write(new Object()));
    }

    @Test
    void cyclicStructureIsRejected() {
        List<Object> cyc = new java.util.ArrayList<>();
        cyc.add(cyc);
        Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.write(cyc));
        assertTrue(e.getMessage().contains("nesting"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "{\"a\" 1}", "[1 2]", "01", "1.", ".5",
            "-", "1e", "+1", "NaN", "Infinity", "tru", "nul", "\"abc", "\"a\\x\"", "\"\\u12g4\"", "\"\\ud800\"",
            "\"\\udc00\"", "\"tab\there\"", "{\"a\":1}x", "[1]]", "{\"a\":1,\"a\":2}", "// c\n1", "1e999", "{1:2}"})
    void rejectsMalformed(String text) {
        Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().startsWith("invalid JSON at line "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.offset() >= 0 && e.offset() <= text.length());
    }

    @Test
    void errorNamesLineColumnAndProblem() {
        Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse("{\n  \"a\": [1, 2,, 3]\n}"));
        assertEquals("invalid JSON at line 2 column 14 (offset 15): unexpected ',', expected a value", e.getMessage());
        e = assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertTrue(e.getMessage().contains("duplicate key \"a\""), e.getMessage());
        IllegalArgumentException notObject = assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]"));
        assertTrue(notObject.getMessage().contains("found array"), notObject.getMessage());
    }

    @Test
    void limitsDepth() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(ok);
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than " + Json.MAX_DEPTH), e.getMessage());
        // Far deeper input fails the same way, without a StackOverflowError.
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":".repeat(100_000)));
    }
}
