package recur.dist;

import java.util.TreeSet;
import recur.wire.WeightsMessage;

/**
 * A worker as the {@link ParameterServerVerticle} sees it: its shards, the shard moves it has yet to
 * be told of, and what was last sent to it. Event loop only.
 */
final class Member {
    final int id;
    final String address;
    final String nodeId;
    final TreeSet<Integer> shards = new TreeSet<>();
    final TreeSet<Integer> grants = new TreeSet<>();
    final TreeSet<Integer> revokes = new TreeSet<>();
    long lastSeen;       // AwakeClock time of its last heartbeat, join or push
    boolean busy;        // has weights to compute on and has not pushed yet
    boolean applying;    // async: its accepted push waits for or is in its update on the lane
    long lastPushVersion = -1;
    long lastPushSeq;         // the window count of its last push (async: tells re-sent pushes from new ones)
    WeightsMessage lastSent;  // re-sent when no push follows within the re-send timeout
    long sentAt;
    String linkToken;         // tensor transport tcp: the token its TensorHello must bring (null: the event bus)
    TensorLink link;          // its tensor link once bound (null: weights go to its event-bus address)
    String description = "";  // host and process, for logs

    Member(int id, String address, String nodeId, long now) {
        this.id = id;
        this.address = address;
        this.nodeId = nodeId;
        this.lastSeen = now;
    }
}
