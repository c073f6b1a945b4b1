import { program } from "./program";

// Stack outputs are the properties of the object the program returns.
export = program();
