package recur.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An emulated network ({@link NetworkEmulator}): one-way latency and its jitter (uniform in
 * [-jitter, +jitter], never below zero), each node's link bandwidth (full duplex: a node sends and
 * receives at this rate at the same time; 0 = unlimited) and the probability that a message is lost.
 *
 * <p>Named profiles: {@code loopback} (nothing added), {@code lan-10g} (50 us, 10 us jitter,
 * 10 Gbit/s), {@code dc-25g} (25 us, 5 us jitter, 25 Gbit/s), {@code wan} (20 ms, 5 ms jitter,
 * 100 Mbit/s, 0.1% loss). Custom values: {@code latency=2ms,jitter=0.5ms,bandwidth=1gbit,loss=0.01}
 * (any subset; units us/ms/s and kbit/mbit/gbit), optionally after a profile name to start from:
 * {@code wan,loss=0}.
 */
public record NetworkProfile(String name, double latencyMs, double jitterMs, double bitsPerSecond, double loss) {
    public static final NetworkProfile LOOPBACK = new NetworkProfile("loopback", 0, 0, 0, 0);
    public static final NetworkProfile LAN_10G = new NetworkProfile("lan-10g", 0.050, 0.010, 10e9, 0);
    public static final NetworkProfile DC_25G = new NetworkProfile("dc-25g", 0.025, 0.005, 25e9, 0);
    public static final NetworkProfile WAN = new NetworkProfile("wan", 20, 5, 100e6, 0.001);
    public static final List<NetworkProfile> NAMED = List.of(LOOPBACK, LAN_10G, DC_25G, WAN);

    public NetworkProfile {
        if (!(latencyMs >= 0) || !(jitterMs >= 0) || !(bitsPerSecond >= 0) || !(loss >= 0 && loss < 1)) {
            throw new IllegalArgumentException("network: latency, jitter and bandwidth must be >= 0 and loss in [0, 1),"
                    + " got latency " + latencyMs + " ms, jitter " + jitterMs + " ms, bandwidth " + bitsPerSecond
                    + " bit/s, loss " + loss);
        }
    }

    /** True when the profile adds nothing (messages pass straight through). */
    public boolean passThrough() {
        return latencyMs == 0 && jitterMs == 0 && bitsPerSecond == 0 && loss == 0;
    }

    /** Seconds to put {@code bytes} on one link (0 when the bandwidth is unlimited). */
    public double transferSeconds(double bytes) {
        return bitsPerSecond == 0 ? 0 : bytes * 8 / bitsPerSecond;
    }

    /** A named profile, or custom values (see the class comment). */
    public static NetworkProfile parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return LOOPBACK;
        }
        List<String> parts = new ArrayList<>(List.of(spec.trim().toLowerCase(Locale.ROOT).split(",")));
        NetworkProfile base = LOOPBACK;
        String name = "custom";
        if (!parts.getFirst().contains("=")) {
            String first = parts.removeFirst().trim();
            base = NAMED.stream().filter(p -> p.name.equals(first)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("network: unknown profile '" + first + "' (expected loopback, lan-10g, "
                            + "dc-25g, wan or key=value pairs such as latency=2ms,bandwidth=1gbit,loss=0.01)"));
            name = first;
        }
        double latency = base.latencyMs;
        double jitter = base.jitterMs;
        double bw = base.bitsPerSecond;
        double loss = base.loss;
        for (String p : parts) {
            String[] kv = p.trim().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("network: expected key=value, got '" + p + "'");
            }
            switch (kv[0].trim()) {
                case "latency" -> latency = millis(kv[1].trim());
                case "jitter" -> jitter = millis(kv[1].trim());
                case "bandwidth" -> bw = bits(kv[1].trim());
                case "loss" -> loss = Double.parseDouble(kv[1].trim());
                default -> throw new IllegalArgumentException("network: unknown key '" + kv[0]
                        + "' (expected latency, jitter, bandwidth, loss)");
            }
        }
        if (!parts.isEmpty()) {
            name = name.equals("custom") ? spec.trim() : spec.trim();
        }
        return new NetworkProfile(name, latency, jitter, bw, loss);
    }

    private static double millis(String v) {
        if (v.endsWith("us")) {
            return Double.parseDouble(v.substring(0, v.length() - 2)) / 1000;
        }
        if (v.endsWith("ms")) {
            return Double.parseDouble(v.substring(0, v.length() - 2));
        }
        if (v.endsWith("s")) {
            return Double.parseDouble(v.substring(0, v.length() - 1)) * 1000;
        }
        return Double.parseDouble(v);
    }

    private static double bits(String v) {
        for (var u : List.of(new Object[] {"gbit", 1e9}, new Object[] {"mbit", 1e6}, new Object[] {"kbit", 1e3})) {
            String unit = (String) u[0];
            if (v.endsWith(unit)) {
                return Double.parseDouble(v.substring(0, v.length() - unit.length())) * (Double) u[1];
            }
        }
        return Double.parseDouble(v);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (latency %.3g ms, jitter %.3g ms, bandwidth %s, loss %.3g%%)", name,
                latencyMs, jitterMs, bitsPerSecond == 0 ? "unlimited" : String.format(Locale.ROOT, "%.3g Gbit/s",
                        bitsPerSecond / 1e9), loss * 100);
    }
}
