package recur.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import recur.io.Json;

/** {@code recur bench}: output shape only (speed is measured by the benchmark itself, not by tests). */
class BenchCommandTest {

    @Test
    void jsonLinesCarryThePeerKeys() {
        CliRun r = CliRun.of("bench", "--configs", "small", "--cells", "gru,rnn_tanh", "--warmup", "0", "--steps", "1",
                "--json");
        assertEquals(0, r.code(), r.toString());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length, r.toString());
        Map<String, Object> first = Json.parseObject(lines[0]);
        for (String key : new String[] {"system", "cell", "config", "threads", "tokens_per_s", "hidden", "batch", "seq"}) {
            assertTrue(first.containsKey(key), "missing " + key + " in " + lines[0]);
        }
        assertEquals("gru", first.get("cell"));
        assertEquals("small", first.get("config"));
        assertTrue(((Number) first.get("tokens_per_s")).doubleValue() > 0);
    }

    @Test
    void unknownConfigurationIsOneLine() {
        CliRun r = CliRun.of("bench", "--configs", "huge");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown configuration 'huge'"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void localModeReportsTheWorkerCount() {
        CliRun r = CliRun.of("bench", "--configs", "small", "--cells", "rnn_tanh", "--workers", "2", "--warmup", "0",
                "--steps", "3", "--json");
        assertEquals(0, r.code(), r.toString());
        Map<String, Object> line = Json.parseObject(r.out().strip());
        assertEquals(2L, line.get("threads"));
        assertTrue(((Number) line.get("tokens_per_s")).doubleValue() > 0);
    }

    @Test
    void performedFlopsCountTheFoldedInputProjectionOnlyWhereAWindowFolds() {
        var charlm = recur.bench.TrainBench.CONFIGS.get("charlm");
        var small = recur.bench.TrainBench.CONFIGS.get("small");
        // charlm LSTM: peer 3 (2*4*256*(64+256) + 2*256*65) = 2,065,920; performed 3 (2*4*256*256 + 2*256*65)
        // + 3*2*4*256*64*65 / 2048 = 1,672,704 + 12,480.
        assertEquals(2_065_920.0, recur.bench.TrainBench.flopsPerToken(recur.model.CellType.LSTM, 256), 1e-6);
        assertEquals(1_685_184.0, recur.bench.TrainBench.flopsPerformedPerToken(recur.model.CellType.LSTM, charlm),
                1e-6);
        // small: the bench stream gives a 50-row window ~35 distinct tokens, over the 25 that fold.
        assertEquals(recur.bench.TrainBench.flopsPerToken(recur.model.CellType.GRU, 128),
                recur.bench.TrainBench.flopsPerformedPerToken(recur.model.CellType.GRU, small), 1e-6);
    }
}
