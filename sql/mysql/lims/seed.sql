INSERT IGNORE INTO samples (sample_id, sample_code, plant, material_id, batch_number, sample_type, status, collected_at) VALUES
  (1, 'S-2611-000101', 'DE01', 'MAT-API-0001', 'B2611-0042', 'RAW_MATERIAL', 'IN_TESTING', '2026-11-22 06:10:00.000000'),
  (2, 'S-2611-000102', 'DE01', 'MAT-FG-0100', 'B2611-0042', 'RELEASE', 'REGISTERED', '2026-11-23 10:05:30.120000');

INSERT IGNORE INTO spec_limits (spec_id, material_id, test_code, lower_limit, upper_limit, unit, spec_version, effective_from) VALUES
  (1, 'MAT-API-0001', 'ASSAY', 98.500000, 101.500000, '%', 3, '2026-01-01 00:00:00.000000'),
  (2, 'MAT-API-0001', 'WATER_KF', NULL, 0.500000, '%w/w', 1, '2026-01-01 00:00:00.000000'),
  (3, 'MAT-FG-0100', 'DISSOLUTION_30M', 80.000000, NULL, '%', 2, '2026-06-01 00:00:00.000000');

INSERT IGNORE INTO test_results (result_id, sample_id, spec_id, test_code, result_value, unit, status, analyst, instrument_id, measured_at) VALUES
  (1, 1, 1, 'ASSAY', 99.870000, '%', 'VALID', 'a.keller', 'HPLC-07', '2026-11-22 11:42:13.004000'),
  (2, 1, 2, 'WATER_KF', 0.620000, '%w/w', 'PENDING', 'a.keller', 'KF-02', '2026-11-22 12:03:55.918000');
