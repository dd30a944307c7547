package com.lifesci.batchrelease.topology;

import com.lifesci.batchrelease.model.Batch;
import com.lifesci.batchrelease.model.MachineEvent;
import com.lifesci.batchrelease.model.SpecLimit;
import com.lifesci.batchrelease.rules.BatchResult;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Per batch_number: everything the release rules read, and what was last emitted. */
public class BatchState {
    public Batch batch;
    /** The spec limit rows (every version) of the batch's material. */
    public List<SpecLimit> specs = new ArrayList<>();
    public TreeMap<Long, BatchResult> results = new TreeMap<>();
    public TreeMap<Long, MachineEvent> events = new TreeMap<>();
    /** The last status record's content (without its timestamps), to emit only on change. */
    public String lastContent;
    public String lastStatus;
    /** When an overdue record was emitted for the current not-READY episode (epoch millis). */
    public Long overdueNotifiedAt;

    boolean isEmpty() {
        return batch == null && results.isEmpty() && events.isEmpty() && lastContent == null;
    }
}
