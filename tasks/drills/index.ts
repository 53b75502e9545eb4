import type { TaskDefinition } from "hardhat/types/tasks";

export const drillTasks: TaskDefinition[] = [];
