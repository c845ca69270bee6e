package recur.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The recurrent cells, named as in the model file; {@code gates} is G, the row blocks of the weights. */
public enum CellType {
    RNN_TANH("rnn_tanh", 1),
    RNN_RELU("rnn_relu", 1),
    LSTM("lstm", 4),
    GRU("gru", 3);

    public final String id;
    public final int gates;

    CellType(String id, int gates) {
        this.id = id;
        this.gates = gates;
    }

    public static CellType parse(String id) {
        for (CellType c : values()) {
            if (c.id.equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown cell '" + id + "' (expected one of "
                + Arrays.stream(values()).map(c -> c.id).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
