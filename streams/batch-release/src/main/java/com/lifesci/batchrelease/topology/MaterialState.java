package com.lifesci.batchrelease.topology;

import com.lifesci.batchrelease.model.SpecLimit;
import java.util.TreeMap;
import java.util.TreeSet;

/** Per material_id: its spec limit rows (every version) and the batches that make it. */
public class MaterialState {
    public TreeMap<Long, SpecLimit> specs = new TreeMap<>();
    public TreeSet<String> batches = new TreeSet<>();

    boolean isEmpty() {
        return specs.isEmpty() && batches.isEmpty();
    }
}
