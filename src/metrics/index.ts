export {
  COUNTING_STATEMENTS,
  DEFAULT_ENERGY,
  energyReport,
  formatEnergyReport,
  type EnergyAssumptions,
  type EnergyReport,
  type GroupEnergy,
} from './energy.js';
