package recur.wire;

import java.util.ArrayList;
import java.util.List;
import recur.data.LabelledBatches;
import recur.data.LabelledSequences.Sequence;
import recur.data.SeriesWindows;
import recur.data.ShardWindows;
import recur.data.TokenStreams;
import recur.wire.proto.ShardAssignment;
import recur.wire.proto.ShardKind;

/**
 * One shard's data as a worker gets it, one kind per task: a slice of token text, a slice of a time
 * series, or a set of labelled sequences. Each kind builds the worker's window source for B streams
 * and a window of k steps, and has a wire form (the data fields of {@code ShardAssignment}, checked
 * on decode). Inside one JVM a slice is passed by reference.
 */
public sealed interface ShardSlice {

    /** The windows of this shard for {@code streams} streams and windows of up to {@code window} steps. */
    ShardWindows windows(int streams, int window);

    /** Positions in one pass over the shard (a snapshot's position must be below it). */
    int positions(int streams);

    /** Bytes of the data on the wire (for the network emulator; no encoding). */
    long wireBytes();

    /** Writes the data fields of an assignment. */
    void writeTo(ShardAssignment.Builder b);

    /**
     * Token text: {@code count*L + 1} ids, B = count streams of L (input, next) pairs each
     * ({@link TokenStreams}).
     */
    record Tokens(int[] tokens, int streamLength, int unusedPairs) implements ShardSlice {
        @Override
        public ShardWindows windows(int streams, int window) {
            return new TokenStreams(tokens, streams, streamLength, window, unusedPairs);
        }

        @Override
        public int positions(int streams) {
            return streamLength;
        }

        @Override
        public long wireBytes() {
            return 4L * tokens.length;
        }

        @Override
        public void writeTo(ShardAssignment.Builder b) {
            b.setKind(ShardKind.SHARD_TOKENS).setStreamLength(streamLength).setUnusedPairs(unusedPairs)
                    .setTokens(Tensors.encodeInts(tokens));
        }
    }

    /**
     * A time series: {@code count*L + 1} steps of C normalised channels, row-major (N, C), cut into
     * B = count streams of L pairs ({@link SeriesWindows}).
     */
    record Series(float[] values, int channels, int streamLength) implements ShardSlice {
        @Override
        public ShardWindows windows(int streams, int window) {
            SeriesWindows w = new SeriesWindows(values, channels, streams, window);
            if (w.streamLength() != streamLength) {
                throw new IllegalArgumentException("a series shard of " + values.length / channels + " steps has streams of "
                        + w.streamLength() + " pairs for " + streams + " streams, expected " + streamLength);
            }
            return w;
        }

        @Override
        public int positions(int streams) {
            return streamLength;
        }

        @Override
        public long wireBytes() {
            return 4L * values.length;
        }

        @Override
        public void writeTo(ShardAssignment.Builder b) {
            b.setKind(ShardKind.SHARD_SERIES).setStreamLength(streamLength)
                    .setSeries(Tensors.encode(values, values.length / channels, channels));
        }
    }

    /**
     * Labelled sequences, batched by length in an order that depends only on {@code seed} and the
     * epoch ({@link LabelledBatches}).
     */
    record Labelled(List<Sequence> sequences, long seed) implements ShardSlice {
        public Labelled {
            sequences = List.copyOf(sequences);
        }

        @Override
        public ShardWindows windows(int streams, int window) {
            return new LabelledBatches(sequences, streams, seed);
        }

        @Override
        public int positions(int streams) {
            return new LabelledBatches(sequences, streams, seed).windowsPerEpoch();
        }

        @Override
        public long wireBytes() {
            long n = 0;
            for (Sequence s : sequences) {
                n += 4L * (s.tokens().length + 2);
            }
            return n + 8;
        }

        @Override
        public void writeTo(ShardAssignment.Builder b) {
            int total = 0;
            for (Sequence s : sequences) {
                total = Math.addExact(total, s.tokens().length);
            }
            int[] tokens = new int[total];
            int[] lengths = new int[sequences.size()];
            int[] labels = new int[sequences.size()];
            int at = 0;
            for (int i = 0; i < lengths.length; i++) {
                int[] t = sequences.get(i).tokens();
                System.arraycopy(t, 0, tokens, at, t.length);
                at += t.length;
                lengths[i] = t.length;
                labels[i] = sequences.get(i).label();
            }
            b.setKind(ShardKind.SHARD_LABELLED).setTokens(Tensors.encodeInts(tokens))
                    .setLengths(Tensors.encodeInts(lengths)).setLabels(Tensors.encodeInts(labels)).setSeed(seed);
        }
    }

    /** The data of an assignment for {@code streams} streams, checked: counts must agree. */
    static ShardSlice fromProto(ShardAssignment p, int streams, int shard) {
        String what = "shard " + shard;
        return switch (p.getKind()) {
            case SHARD_TOKENS -> {
                int[] tokens = Tensors.decodeInts(p.getTokens(), what + " tokens");
                long needed = Math.addExact(Math.multiplyExact((long) streams, streamLength(p, what)), 1L);
                if (tokens.length != needed) {
                    throw new WireFormatException(what + ": expected " + needed + " tokens for " + streams
                            + " streams of " + p.getStreamLength() + ", found " + tokens.length);
                }
                yield new Tokens(tokens, p.getStreamLength(), p.getUnusedPairs());
            }
            case SHARD_SERIES -> {
                long rows = Math.addExact(Math.multiplyExact((long) streams, streamLength(p, what)), 1L);
                if (p.getSeries().getShapeCount() != 2 || p.getSeries().getShape(1) < 1) {
                    throw new WireFormatException(what + ": expected a series of shape (steps, channels), found "
                            + p.getSeries().getShapeList());
                }
                int channels = p.getSeries().getShape(1);
                if (rows > Integer.MAX_VALUE) {
                    throw new WireFormatException(what + ": " + rows + " steps do not fit one array");
                }
                float[] values = Tensors.decode(p.getSeries(), what + " series", (int) rows, channels);
                yield new Series(values, channels, p.getStreamLength());
            }
            case SHARD_LABELLED -> {
                int[] tokens = Tensors.decodeInts(p.getTokens(), what + " tokens");
                int[] lengths = Tensors.decodeInts(p.getLengths(), what + " lengths");
                int[] labels = Tensors.decodeInts(p.getLabels(), what + " labels");
                if (lengths.length == 0 || labels.length != lengths.length) {
                    throw new WireFormatException(what + ": expected one label per sequence and at least one sequence, "
                            + "found " + lengths.length + " lengths and " + labels.length + " labels");
                }
                List<Sequence> sequences = new ArrayList<>(lengths.length);
                long at = 0;
                for (int i = 0; i < lengths.length; i++) {
                    if (lengths[i] < 1 || at + lengths[i] > tokens.length) {
                        throw new WireFormatException(what + ": sequence " + i + " of " + lengths[i] + " tokens does not fit "
                                + "the " + tokens.length + " tokens sent");
                    }
                    int from = (int) at;
                    sequences.add(new Sequence(java.util.Arrays.copyOfRange(tokens, from, from + lengths[i]), labels[i]));
                    at += lengths[i];
                }
                if (at != tokens.length) {
                    throw new WireFormatException(what + ": expected " + at + " tokens for " + lengths.length
                            + " sequences, found " + tokens.length);
                }
                yield new Labelled(sequences, p.getSeed());
            }
            case UNRECOGNIZED -> throw new WireFormatException(what + ": unknown data kind " + p.getKindValue()
                    + " (a newer sender?)");
        };
    }

    private static int streamLength(ShardAssignment p, String what) {
        if (p.getStreamLength() < 1) {
            throw new WireFormatException(what + ": expected a stream length >= 1, found " + p.getStreamLength());
        }
        return p.getStreamLength();
    }
}
