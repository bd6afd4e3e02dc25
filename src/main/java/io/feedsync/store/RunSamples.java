package io.feedsync.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A few keys of each outcome of a run — what a dry run would insert, update, delete — for people to check. */
public final class RunSamples {

    public static final int PER_OUTCOME = 10;
    public static final String INSERTED = "inserted";
    public static final String UPDATED = "updated";
    public static final String UNCHANGED = "unchanged";
    public static final String DELETED = "deleted";
    public static final String DEAD_LETTERED = "deadLettered";

    private final Map<String, List<String>> keys = new LinkedHashMap<>();

    public RunSamples() {
        for (String outcome : List.of(INSERTED, UPDATED, UNCHANGED, DELETED, DEAD_LETTERED)) {
            keys.put(outcome, new ArrayList<>());
        }
    }

    public synchronized void add(String outcome, String key) {
        List<String> sample = keys.get(outcome);
        if (sample.size() < PER_OUTCOME && key != null && !sample.contains(key)) {
            sample.add(key);
        }
    }

    public synchronized void remove(String outcome, String key) {
        keys.get(outcome).remove(key);
    }

    public synchronized boolean wants(String outcome) {
        return keys.get(outcome).size() < PER_OUTCOME;
    }

    public synchronized Map<String, List<String>> snapshot() {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        keys.forEach((outcome, sample) -> copy.put(outcome, List.copyOf(sample)));
        return copy;
    }
}
