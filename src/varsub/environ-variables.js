const PREFIX = 'WHARF_VAR_';
export function environVariables(environ) {
    const vars = {};
    for (const [key, value] of Object.entries(environ)) {
        if (key.startsWith(PREFIX) && key.length > PREFIX.length && value !== undefined)
            vars[key.slice(PREFIX.length)] = typedScalar(value);
    }
    return vars;
}
function typedScalar(value) {
    if (value === 'true' || value === 'false')
        return value === 'true';
    if (/^[-+]?(\d+|\d*\.\d+)([eE][-+]?\d+)?$/.test(value))
        return Number(value);
    return value;
}
