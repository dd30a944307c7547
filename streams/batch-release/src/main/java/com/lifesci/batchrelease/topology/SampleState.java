package com.lifesci.batchrelease.topology;

import com.lifesci.batchrelease.model.Sample;
import com.lifesci.batchrelease.model.TestResult;
import java.util.TreeMap;

/** Per sample_id: the sample row (null until seen or after a delete) and its results. */
public class SampleState {
    public Sample sample;
    public TreeMap<Long, TestResult> results = new TreeMap<>();

    boolean isEmpty() {
        return sample == null && results.isEmpty();
    }
}
