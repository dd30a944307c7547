package com.lifesci.batchrelease.rules;

import com.lifesci.batchrelease.model.TestResult;

/** A test result as the batch sees it: with the material of the sample it was measured on. */
public record BatchResult(TestResult result, String sampleMaterialId) {}
