package recur.dist;

import java.util.List;

/**
 * Places data shards on workers: orphans first, to the least loaded, then evens out the counts. It
 * records each move in the {@link ShardTable} and as a pending grant or revoke of the {@link Member},
 * sent with its next weights. Event loop only.
 */
final class ShardBalancer {
    private ShardBalancer() {
    }

    /**
     * Gives orphaned shards to free workers (those not computing: at a sync round boundary, all of
     * them) with the fewest shards, then evens out the counts among free workers.
     */
    static void rebalance(ShardTable table, List<Member> free) {
        if (free.isEmpty()) {
            return;
        }
        for (int s = 0; s < table.count(); s++) { // orphans in shard order
            if (table.owner(s) == ShardTable.UNOWNED) {
                give(table, leastLoaded(free), s);
            }
        }
        while (true) {
            Member most = mostLoaded(free);
            Member least = leastLoaded(free);
            if (most.shards.size() - least.shards.size() <= 1) {
                return;
            }
            int s = most.shards.last();
            most.shards.remove(s);
            if (!most.grants.remove(s)) {
                most.revokes.add(s);
            }
            give(table, least, s);
        }
    }

    /** Load order: shard count, then id. Loops rather than streams: this runs every round. */
    private static boolean lighter(Member a, Member b) {
        return a.shards.size() < b.shards.size() || a.shards.size() == b.shards.size() && a.id < b.id;
    }

    private static Member leastLoaded(List<Member> ms) {
        Member best = null;
        for (int i = 0; i < ms.size(); i++) {
            Member m = ms.get(i);
            if (best == null || lighter(m, best)) {
                best = m;
            }
        }
        return best;
    }

    private static Member mostLoaded(List<Member> ms) {
        Member best = null;
        for (int i = 0; i < ms.size(); i++) {
            Member m = ms.get(i);
            if (best == null || lighter(best, m)) {
                best = m;
            }
        }
        return best;
    }

    private static void give(ShardTable table, Member m, int shard) {
        table.setOwner(shard, m.id);
        m.shards.add(shard);
        if (!m.revokes.remove(shard)) {
            m.grants.add(shard);
        }
    }
}
