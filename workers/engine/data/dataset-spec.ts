/** Which dataset to load (the schema is shared with the launch form and service; see server/jobs/configs/common.ts). */
export { datasetSpecSchema, type DatasetSpec } from "../../../server/jobs/configs/common";
