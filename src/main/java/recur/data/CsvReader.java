package recur.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Comma-separated values as RFC 4180 defines them: records end at CRLF (a lone LF or CR is accepted
 * too), a field in double quotes may hold commas, line breaks and doubled quotes ({@code ""} is one
 * {@code "}). The first record is the header. A leading byte-order mark is dropped and empty lines
 * outside quotes are skipped. Every record must have as many fields as the header.
 *
 * <p>Errors are {@link IllegalArgumentException}s that name the source, the data row (1 = the first
 * record after the header) and the physical line where that record starts.
 */
public final class CsvReader {
    private CsvReader() {
    }

    /** Parses the whole text; {@code source} names it in messages (e.g. the file name). */
    public static CsvTable parse(String text, String source) {
        List<String[]> records = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int pos = text.startsWith("\uFEFF") ? 1 : 0;
        int line = 1;
        int n = text.length();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (pos < n) {
            // One record, starting at pos on physical line `line`.
            int recordLine = line;
            if (isLineEnd(text.charAt(pos))) {
                pos = skipLineEnd(text, pos);
                line++;
                continue; // an empty line
            }
            fields.clear();
            boolean endOfRecord = false;
            while (!endOfRecord) {
                field.setLength(0);
                if (pos < n && text.charAt(pos) == '"') {
                    int openedOn = line;
                    pos++;
                    while (true) {
                        if (pos >= n) {
                            throw new IllegalArgumentException(source + ": the quoted field that starts on line "
                                    + openedOn + " is never closed; a quote inside a quoted field is written \"\"");
                        }
                        char ch = text.charAt(pos);
                        if (ch == '"') {
                            if (pos + 1 < n && text.charAt(pos + 1) == '"') {
                                field.append('"');
                                pos += 2;
                                continue;
                            }
                            pos++;
                            break;
                        }
                        if (isLineEnd(ch)) {
                            int end = skipLineEnd(text, pos);
                            field.append(text, pos, end); // kept as written: CRLF, LF or CR
                            pos = end;
                            line++;
                            continue;
                        }
                        field.append(ch);
                        pos++;
                    }
                    if (pos < n && text.charAt(pos) != ',' && !isLineEnd(text.charAt(pos))) {
                        throw new IllegalArgumentException(source + ": line " + line + ": unexpected '"
                                + text.charAt(pos) + "' after a closing quote; a quote inside a quoted field is "
                                + "written \"\"");
                    }
                } else {
                    while (pos < n && text.charAt(pos) != ',' && !isLineEnd(text.charAt(pos))) {
                        char ch = text.charAt(pos);
                        if (ch == '"') {
                            throw new IllegalArgumentException(source + ": line " + line + ": a quote inside an "
                                    + "unquoted field; put the whole field in quotes and write the quote as \"\"");
                        }
                        field.append(ch);
                        pos++;
                    }
                }
                fields.add(field.toString());
                if (pos < n && text.charAt(pos) == ',') {
                    pos++;
                } else {
                    endOfRecord = true;
                    if (pos < n) {
                        pos = skipLineEnd(text, pos);
                        line++;
                    }
                }
            }
            records.add(fields.toArray(String[]::new));
            lines.add(recordLine);
        }
        if (records.isEmpty()) {
            throw new IllegalArgumentException(source + " is empty; a CSV needs a header line and data rows");
        }
        String[] header = records.getFirst();
        checkHeader(header, source);
        List<String[]> rows = records.subList(1, records.size());
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(source + " has a header but no data rows");
        }
        int[] rowLines = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            rowLines[r] = lines.get(r + 1);
            if (rows.get(r).length != header.length) {
                throw new IllegalArgumentException(source + ": row " + (r + 1) + " (line " + rowLines[r] + ") has "
                        + rows.get(r).length + " field" + (rows.get(r).length == 1 ? "" : "s") + ", the header has "
                        + header.length + "; every row needs one value per column (quote fields that contain commas)");
            }
        }
        return new CsvTable(source, List.of(header), new ArrayList<>(rows), rowLines);
    }

    private static void checkHeader(String[] header, String source) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            Integer before = seen.put(header[i], i);
            if (before != null) {
                throw new IllegalArgumentException(source + ": the header names column '" + header[i] + "' twice "
                        + "(columns " + (before + 1) + " and " + (i + 1) + "); rename one");
            }
        }
    }

    private static boolean isLineEnd(char c) {
        return c == '\n' || c == '\r';
    }

    /** Position after the line break at pos (CRLF, LF or CR). */
    private static int skipLineEnd(String text, int pos) {
        if (text.charAt(pos) == '\r' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n') {
            return pos + 2;
        }
        return pos + 1;
    }
}
