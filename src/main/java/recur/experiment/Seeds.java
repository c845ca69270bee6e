package recur.experiment;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Seeds for each purpose of an experiment, derived from the one seed the user gives and the purpose's
 * name (e.g. "adding/50/data"), so a number depends only on what it is for: not on the order in which
 * combinations run or on how many run at once.
 */
final class Seeds {
    private Seeds() {
    }

    static long derive(long seed, String purpose) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the purpose's UTF-8 bytes
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return new SplittableRandom(seed).split().nextLong() ^ new SplittableRandom(h).nextLong();
    }
}
