INSERT IGNORE INTO screening_runs (run_id, run_code, assay_id, instrument_id, operator_id, plate_count, status, started_at, finished_at) VALUES
  (1, 'HTS-2611-0007', 'KIN-INH-004', 'ECHO-655-01', 'r.nguyen', 12, 'COMPLETED', '2026-11-23 08:00:00.000000', '2026-11-23 14:22:31.700000');

INSERT IGNORE INTO assay_results (run_id, plate_barcode, well, compound_id, concentration_um, readout, readout_unit, percent_inhibition, hit, qc_flag, measured_at) VALUES
  (1, 'PLT000184', 'A01', 'CPD-0098231', 10.000000, 15234.000000, 'RFU', 4.210, FALSE, 'OK', '2026-11-23 09:12:00.000000'),
  (1, 'PLT000184', 'B07', 'CPD-0098977', 10.000000, 2210.500000, 'RFU', 86.020, TRUE, 'OK', '2026-11-23 09:12:00.000000');
