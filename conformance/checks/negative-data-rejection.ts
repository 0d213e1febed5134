// A request that breaks a rule of the spec is refused with a documented 4xx (Schemathesis'
// `negative_data_rejection`). Run by the runner's negative cases, generated or not, where they
// judge their answers; named here so --checks knows it.
export const negativeDataRejection = {
  name: 'negative_data_rejection',
  description: 'A request that breaks a rule of the spec is refused with a 4xx the operation documents.',
};
