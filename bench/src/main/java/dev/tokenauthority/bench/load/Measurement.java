package dev.tokenauthority.bench.load;

import org.HdrHistogram.Histogram;

/**
 * What one run of one operation measured.
 *
 * @param mode {@code closed} (peak) or {@code open} (fixed rate)
 * @param targetRate the open loop's calls per second; 0 for a closed loop
 * @param latencies nanoseconds of every call that ended as expected
 * @param failures calls in the window that did not end as expected
 * @param firstFailure the first unexpected status seen (warm-up included), or null
 */
record Measurement(String operation, String description, String mode, double targetRate, Histogram latencies,
    long failures, double seconds, String firstFailure) {

  double callsPerSecond() {
    return latencies.getTotalCount() / seconds;
  }

  /** A latency percentile in milliseconds. */
  double millis(double percentile) {
    return latencies.getValueAtPercentile(percentile) / 1e6;
  }

  double maxMillis() {
    return latencies.getMaxValue() / 1e6;
  }
}
