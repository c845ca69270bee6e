package recur.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4180 parsing and the messages for files that are not. */
class CsvReaderTest {

    static CsvTable parse(String text) {
        return CsvReader.parse(text, "t.csv");
    }

    static String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> parse(text)).getMessage();
    }

    @Test
    void plainRecordsWithCrlfAndLf() {
        CsvTable t = parse("a,b\r\n1,2\r\n3,4\n5,6");
        assertEquals(List.of("a", "b"), t.header());
        assertEquals(3, t.size());
        assertArrayEquals(new String[] {"5", "6"}, t.rows().get(2));
        assertEquals(4, t.lines()[2]);
    }

    @Test
    void quotedHeadersAndFieldsWithCommasQuotesAndLineBreaks() {
        CsvTable t = parse("\"Date\",\"Temp, \"\"min\"\"\"\r\n\"1981-01-01\",\"a,b\"\r\n\"x\r\ny\",\"\"\r\n7,8\r\n");
        assertEquals(List.of("Date", "Temp, \"min\""), t.header());
        assertArrayEquals(new String[] {"1981-01-01", "a,b"}, t.rows().get(0));
        assertArrayEquals(new String[] {"x\r\ny", ""}, t.rows().get(1), "CRLF inside quotes is kept, and \"\" is empty");
        assertEquals(5, t.lines()[2], "line numbers count the line break inside the quoted field");
        assertEquals(1, t.column("Temp, \"min\"", "--target"));
    }

    @Test
    void byteOrderMarkAndEmptyLinesAreSkipped() {
        CsvTable t = parse("\uFEFFa\n\n1\n\r\n2\n\n");
        assertEquals(List.of("a"), t.header(), "the BOM is not part of the first name");
        assertEquals(2, t.size());
        assertEquals(5, t.lines()[1]);
    }

    @Test
    void emptyFieldsAtTheEndOfARecord() {
        CsvTable t = parse("a,b,c\n1,,\n");
        assertArrayEquals(new String[] {"1", "", ""}, t.rows().getFirst());
    }

    @Test
    void raggedRowNamesRowAndLine() {
        String m = error("a,b\n1,2\n3\n");
        assertTrue(m.contains("row 2 (line 3) has 1 field, the header has 2"), m);
    }

    @Test
    void emptyAndHeaderOnly() {
        assertTrue(error("").contains("is empty"));
        assertTrue(error("\n\n").contains("is empty"));
        assertTrue(error("a,b\r\n").contains("has a header but no data rows"));
    }

    @Test
    void unclosedQuoteAndStrayQuotes() {
        assertTrue(error("a\n\"1\n2\n").contains("starts on line 2 is never closed"), error("a\n\"1\n2\n"));
        assertTrue(error("a\n\"1\"x\n").contains("line 2: unexpected 'x' after a closing quote"));
        assertTrue(error("a\n1\"2\n").contains("a quote inside an unquoted field"));
    }

    @Test
    void duplicateHeaderNames() {
        assertTrue(error("a,b,a\n1,2,3\n").contains("names column 'a' twice (columns 1 and 3)"));
    }

    @Test
    void missingColumnListsTheColumnsAndSuggestsCase() {
        CsvTable t = parse("Date,Temp\n1,2\n");
        String m = assertThrows(IllegalArgumentException.class, () -> t.column("temp", "--target")).getMessage();
        assertTrue(m.contains("--target: t.csv has no column 'temp'; did you mean 'Temp'? (its columns: 'Date', 'Temp')"), m);
    }
}
