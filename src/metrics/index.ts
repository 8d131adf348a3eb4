export {
  COUNTING_STATEMENTS,
  DEFAULT_ENERGY,
  ENERGY_PRESETS,
  energyReport,
  formatEnergyReport,
  type EnergyAssumptions,
  type EnergyReport,
  type GroupEnergy,
} from './energy.js';
export {
  accuracy,
  negativeLogLikelihood,
  perplexity,
  type AccuracyResult,
  type PerplexityResult,
  type Progress,
} from './evaluate.js';
