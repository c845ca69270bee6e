package recur.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed CSV file: the header's column names and the records below it, every record as wide as the
 * header. Record r (0-based) is data row r+1 in messages and began on physical line {@code line(r)}.
 */
public record CsvTable(String source, List<String> header, List<String[]> rows, int[] lines) {

    public CsvTable {
        header = List.copyOf(header);
        rows = List.copyOf(rows);
        if (lines.length != rows.size()) {
            throw new IllegalArgumentException(rows.size() + " rows but " + lines.length + " line numbers");
        }
    }

    public int size() {
        return rows.size();
    }

    /** "row 5 (line 6)": how messages name record r. */
    public String where(int r) {
        return "row " + (r + 1) + " (line " + lines[r] + ")";
    }

    /**
     * The index of the column called {@code name}; an error listing the columns when there is none
     * (with a suggestion when only the case or surrounding spaces differ).
     */
    public int column(String name, String option) {
        int i = header.indexOf(name);
        if (i >= 0) {
            return i;
        }
        List<String> close = new ArrayList<>();
        for (String h : header) {
            if (h.strip().equalsIgnoreCase(name.strip())) {
                close.add(h);
            }
        }
        String hint = close.isEmpty() ? "" : "; did you mean '" + close.getFirst() + "'?";
        throw new IllegalArgumentException(option + ": " + source + " has no column '" + name + "'" + hint
                + " (its columns: " + String.join(", ", header.stream().map(h -> "'" + h + "'").toList()) + ")");
    }

    public String cell(int row, int column) {
        return rows.get(row)[column];
    }
}
