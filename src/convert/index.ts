export { convert, convertBuilder, type Conversion, type ConvertOptions } from './convert.js';
export {
  conversionReport,
  type ConversionFacts,
  formatConversionReport,
  type ConversionReport,
  type NeuronUse,
  type SiteReport,
} from './report.js';
