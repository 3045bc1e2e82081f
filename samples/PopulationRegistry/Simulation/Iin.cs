using System.Globalization;

namespace PopulationRegistry.Simulation;

/// <summary>Builds individual identification numbers (IIN) that pass the national registry's check-digit rule.</summary>
/// <remarks>
/// An IIN is 12 digits: the birth date as <c>yyMMdd</c>, one digit for century and sex (3/4 for a man/woman born
/// in the 1900s, 5/6 in the 2000s), a four-digit serial, and a check digit. The check digit is the weighted sum
/// of the first 11 digits modulo 11 with weights 1..11; when that gives 10, the weights 3..11, 1, 2 are used;
/// when that gives 10 too, the serial is not issued. Made-up IINs that are well-formed let the sample exercise
/// the same validation real ones meet.
/// </remarks>
internal static class Iin
{
    public static string Create(DateOnly birthDate, bool female, int serial)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(serial);
        var centuryAndSex = (birthDate.Year < 2000 ? 3 : 5) + (female ? 1 : 0);
        for (var candidate = serial; ; candidate++)
        {
            var firstEleven = string.Create(CultureInfo.InvariantCulture, $"{birthDate:yyMMdd}{centuryAndSex}{candidate % 10_000:D4}");
            var check = WeightedSum(firstEleven, firstWeight: 1);
            if (check == 10)
            {
                check = WeightedSum(firstEleven, firstWeight: 3);
            }

            if (check != 10)
            {
                return firstEleven + check.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    // Weights run from firstWeight up to 11 and wrap to 1: 1..11, or 3..11, 1, 2.
    private static int WeightedSum(string digits, int firstWeight)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            sum += (digits[i] - '0') * ((firstWeight - 1 + i) % 11 + 1);
        }

        return sum % 11;
    }
}
