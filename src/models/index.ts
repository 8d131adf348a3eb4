export { Llama2cModel } from './llama2c.js';
export { MNIST_VIT, VitModel, type Tensor, type VitConfig } from './vit.js';
