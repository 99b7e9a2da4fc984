#include "health/phi_accrual.hpp"

#include <algorithm>
#include <cmath>

namespace zmesh::health {
namespace {

constexpr double kLn10 = 2.302585092994045684;

}  // namespace

double phi_of(double elapsed_us, double mean_us, double std_dev_us, const PhiParameters& parameters) {
  const double mean = mean_us + static_cast<double>(parameters.acceptable_pause);
  if (!(mean > 0)) return 0;
  if (parameters.model == ArrivalModel::exponential) {
    // -log10(exp(-t / mean)) = t / (mean ln 10)
    return std::max(0.0, elapsed_us) / (mean * kLn10);
  }
  const double std_dev = std::max({std_dev_us, static_cast<double>(parameters.min_std_dev), 1.0});
  const double y = (elapsed_us - mean) / std_dev;
  // Logistic approximation of the normal tail: P_later = 1 / (1 + e^a), a = y (1.5976 + 0.070566 y^2).
  // phi = log10(1 + e^a), written so that neither branch overflows: for a > 0,
  // log(1 + e^a) = a + log(1 + e^-a).
  const double a = y * (1.5976 + 0.070566 * y * y);
  const double ln_one_plus = a > 0 ? a + std::log1p(std::exp(-a)) : std::log1p(std::exp(a));
  return ln_one_plus / kLn10;
}

ArrivalWindow::ArrivalWindow(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

void ArrivalWindow::add(DurationUs interval_us) {
  interval_us = std::max<DurationUs>(interval_us, 0);
  if (samples_.size() < capacity_) {
    samples_.push_back(interval_us);
  } else {
    samples_[next_] = interval_us;
    next_ = (next_ + 1) % capacity_;
  }
  // Recomputed, not running sums: no drift over days of samples, and a fixed order of
  // operations, so every platform gets the same bits.
  double sum = 0;
  for (DurationUs s : samples_) sum += static_cast<double>(s);
  mean_us_ = sum / static_cast<double>(samples_.size());
  double squares = 0;
  for (DurationUs s : samples_) {
    const double d = static_cast<double>(s) - mean_us_;
    squares += d * d;
  }
  std_dev_us_ = std::sqrt(squares / static_cast<double>(samples_.size()));
}

void ArrivalWindow::clear() {
  samples_.clear();
  next_ = 0;
  mean_us_ = 0;
  std_dev_us_ = 0;
}

}  // namespace zmesh::health
