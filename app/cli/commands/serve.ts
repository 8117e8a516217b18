import { CliError, type CliCommand } from "../command.ts";

// Placeholder until its issue lands; replaced by the real command.
const command: CliCommand = {
  async run() {
    throw new CliError("the serve command is not built yet");
  },
};
export default command;
